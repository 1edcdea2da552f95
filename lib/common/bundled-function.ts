import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeInHipaaAndNist, acknowledgeWildcardResource } from '../compliance/acknowledge';

/** The package root: handlers are bundled from its `lambda/` sources, wherever this file was compiled to. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

/**
 * Credential providers the SDK's default chain imports only after the environment has no
 * credentials, which never happens in Lambda; left out, they resolve from the runtime's SDK.
 */
const UNREACHED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini', '@aws-sdk/credential-provider-sso', '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity', '@aws-sdk/credential-provider-login', '@aws-sdk/nested-clients',
];

/** Lambda caps all environment variables of a function at 4 KB together; bigger configs go into the bundle. */
const MAX_ENV_CONFIG_BYTES = 3072;

export interface BundledFunctionProps {
  /** Entry file under `lambda/`, e.g. `gateway/gateway-handler.ts`. */
  readonly entry: string;
  readonly description: string;
  /**
   * The handler's configuration as JSON: in the environment variable `name` while small, else in
   * a file bundled next to the handler, named by `<name>_FILE`.
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
   * Packages left out of the bundle and copied as they are into its `node_modules` (e.g. a WASM
   * engine that loads its `.wasm` file from its own directory). Only their `package.json`,
   * `LICENSE` and `build/` are copied.
   * @default - none
   */
  readonly copiedModules?: string[];
  /**
   * Where failed asynchronous invocations go.
   * @default - none: the function is invoked synchronously and its caller sees every failure
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * A platform Lambda function: bundled by the local esbuild (minified, tree-shaken, source maps,
 * the AWS SDK included), arm64 on the newest Node.js runtime, with its own role and encrypted
 * log group.
 */
export class BundledFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const configJson = props.config && JSON.stringify(props.config.value);
    const configFile = configJson && Buffer.byteLength(configJson) > MAX_ENV_CONFIG_BYTES ? writeConfigFile(configJson) : undefined;
    const configFileName = props.config && `${props.config.name.toLowerCase().replace(/_/g, '-')}.json`;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.logKey });
    const lockFile = path.join(PACKAGE_ROOT, 'package-lock.json');
    // A role of its own instead of the AWSLambdaBasicExecutionRole managed policy: logs go only to its own group.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.description}`,
    });
    logGroup.grantWrite(role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PACKAGE_ROOT, 'lambda', props.entry),
      handler: 'handler',
      projectRoot: PACKAGE_ROOT,
      // Inside an app's node_modules there is no lock file of ours: let CDK find the app's.
      depsLockFilePath: existsSync(lockFile) ? lockFile : undefined,
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
        ...(props.config && (configFile ? { [`${props.config.name}_FILE`]: configFileName! } : { [props.config.name]: configJson! })),
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        // The SDK is bundled so the deployed version is the tested one; module-first resolution lets
        // esbuild tree-shake it. Measured (npm run bench): gateway bundle 313 KB, cold start ~125 ms,
        // against 160 ms loading the runtime's SDK. Source maps are written but not enabled at run
        // time: --enable-source-maps costs 25–37 ms of cold start.
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        externalModules: [...UNREACHED_CREDENTIAL_PROVIDERS, ...(props.copiedModules ?? [])],
        commandHooks: configFile || props.copiedModules?.length ? {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            ...(configFile ? [`cp "${configFile}" "${outputDir}/${configFileName}"`] : []),
            ...(props.copiedModules ?? []).flatMap((name) => {
              const source = path.dirname(require.resolve(`${name}/package.json`, { paths: [PACKAGE_ROOT] }));
              const target = `${outputDir}/node_modules/${name}`;
              return [`mkdir -p "${target}"`, `cp -R "${source}/package.json" "${source}/LICENSE" "${source}/build" "${target}/"`];
            }),
          ],
        } : undefined,
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

function writeConfigFile(json: string): string {
  // Content-addressed, so the bundling command (and the asset) is the same on every synth.
  const dir = path.join(tmpdir(), 'cdk-inference-platform');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `config-${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json`);
  writeFileSync(file, json);
  return file;
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'lambda'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cdk-inference-platform: cannot find the package root (with lambda/) above ${start}`);
  }
}
