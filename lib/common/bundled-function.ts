import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeInHipaaAndNist, acknowledgeWildcardResource } from '../compliance/acknowledge';
import { HandlerName, prebuiltHandlerDir } from './handlers';

/** Lambda caps all environment variables of a function at 4 KB together; bigger configs go into the asset. */
const MAX_ENV_CONFIG_BYTES = 3072;

export interface BundledFunctionProps {
  /** The prebuilt handler to deploy (registered in lib/common/handlers.ts). */
  readonly handler: HandlerName;
  readonly description: string;
  /**
   * The handler's configuration as JSON: in the environment variable `name` while small, else in
   * a file next to the handler in its asset, named by `<name>_FILE`.
   */
  readonly config?: { readonly name: string; readonly value: object };
  /** More environment variables. */
  readonly environment?: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly reservedConcurrency?: number;
  readonly logRetention: logs.RetentionDays;
  readonly logKey: kms.IKey;
  /**
   * Where failed asynchronous invocations go.
   * @default - none: the function is invoked synchronously and its caller sees every failure
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * A platform Lambda function: one of the handlers prebuilt at package build (minified, the AWS
 * SDK bundled and tree-shaken, see bin/build-handlers.ts), arm64 on the newest Node.js runtime,
 * with its own role and encrypted log group. Synth bundles nothing: the asset is the prebuilt
 * directory, plus the config file when the config is too big for the environment.
 */
export class BundledFunction extends Construct {
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const configJson = props.config && JSON.stringify(props.config.value);
    const configFileName = props.config && `${props.config.name.toLowerCase().replace(/_/g, '-')}.json`;
    const inFile = configJson !== undefined && Buffer.byteLength(configJson) > MAX_ENV_CONFIG_BYTES;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.logKey });
    // A role of its own instead of the AWSLambdaBasicExecutionRole managed policy: logs go only to its own group.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.description}`,
    });
    logGroup.grantWrite(role);

    const handlerDir = prebuiltHandlerDir(props.handler);
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(inFile ? withConfigFile(props.handler, handlerDir, configFileName!, configJson) : handlerDir),
      handler: 'index.handler',
      description: props.description,
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      // Active tracing, like the API stage: a request's trace continues through the function.
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: props.deadLetterQueue,
      logGroup,
      environment: {
        ...props.environment,
        ...(props.config && (inFile ? { [`${props.config.name}_FILE`]: configFileName! } : { [props.config.name]: configJson! })),
      },
    });
    if (!props.deadLetterQueue) {
      acknowledgeInHipaaAndNist(this.function, 'LambdaDLQ', `${props.description}: invoked synchronously; the caller receives every ` +
        'failure as an HTTP or invocation error, so there is no event to dead-letter.');
    }
    acknowledgeInHipaaAndNist(this.function, 'LambdaInsideVPC', `${props.description}: calls only AWS APIs over TLS ` +
      'with SigV4 and holds no data at rest; placing it in a VPC adds cold-start latency without reducing exposure.');
    acknowledgeWildcardResource(role, `${logGroup.logGroupArn}:*`, 'Log stream names are chosen by Lambda at run time; the wildcard ' +
      'stays inside this function\'s own log group.');
    acknowledgeInHipaaAndNist(role, 'IAMNoInlinePolicy', `The inline policy belongs to the role of ${props.description} ` +
      'alone and names only the resources it uses.');
    acknowledge(this.function, { 'AwsSolutions-L1': 'Runs Node.js 24, the newest Node.js runtime Lambda offers.' });
    acknowledge(role, {
      'AwsSolutions-IAM5[Resource::*]': `Active X-Ray tracing of the ${props.description}: xray:PutTraceSegments and ` +
        'xray:PutTelemetryRecords have no resource-level permissions (Service Authorization Reference, AWS X-Ray).',
    });
  }
}

/**
 * A directory with the prebuilt handler and its config file, named by the hash of both, so the
 * asset (and its hash) is the same on every synth and concurrent synths share it.
 */
function withConfigFile(name: HandlerName, handlerDir: string, fileName: string, json: string): string {
  const hash = createHash('sha256').update(directoryDigest(handlerDir)).update(`\0${fileName}\0${json}`).digest('hex');
  const dir = path.join(tmpdir(), 'cdk-inference-platform-assets', `${name}-${hash.slice(0, 24)}`);
  if (existsSync(dir)) return dir;
  const staging = `${dir}.${process.pid}`;
  mkdirSync(path.dirname(dir), { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  cpSync(handlerDir, staging, { recursive: true });
  writeFileSync(path.join(staging, fileName), json);
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another synth made the same directory first: same content, keep theirs.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
  return dir;
}

/** A digest of every file's relative path and content under `dir`. */
function directoryDigest(dir: string): string {
  const hash = createHash('sha256');
  const visit = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) visit(rel);
      else hash.update(`${rel}\0`).update(readFileSync(path.join(dir, rel))).update('\0');
    }
  };
  visit('');
  return hash.digest('hex');
}
