import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeInHipaaAndNist } from './compliance';

/** The package root: handlers are bundled from its `lambda/` sources, wherever this file was compiled to. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

/** Lambda caps all environment variables of a function at 4 KB together; bigger configs go into the bundle. */
const MAX_ENV_CONFIG_BYTES = 3072;

export interface GatewayFunctionProps {
  /** Entry file under `lambda/`, e.g. `gateway/gateway-handler.ts`. */
  readonly entry: string;
  readonly description: string;
  /** The handler's configuration, as JSON: in the environment while small, a bundled file when large. */
  readonly config: object;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly reservedConcurrency?: number;
  readonly logRetention: logs.RetentionDays;
  readonly logKey: kms.IKey;
}

/**
 * A gateway Lambda function: bundled by the local esbuild (minified, tree-shaken, source maps,
 * the SDK included so the tested version is the deployed one), arm64 on the newest Node.js
 * runtime, with its own encrypted log group.
 */
export class GatewayFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    const configJson = JSON.stringify(props.config);
    const inEnvironment = Buffer.byteLength(configJson) <= MAX_ENV_CONFIG_BYTES;
    const configFile = inEnvironment ? undefined : writeConfigFile(configJson);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.logKey });
    const lockFile = path.join(PACKAGE_ROOT, 'package-lock.json');

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PACKAGE_ROOT, 'lambda', props.entry),
      handler: 'handler',
      projectRoot: PACKAGE_ROOT,
      // Inside an app's node_modules there is no lock file of ours: let CDK find the app's.
      depsLockFilePath: existsSync(lockFile) ? lockFile : undefined,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...(configFile ? { GATEWAY_CONFIG_FILE: 'gateway-config.json' } : { GATEWAY_CONFIG: configJson }),
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        bundleAwsSDK: true,
        externalModules: [],
        commandHooks: configFile ? {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [`cp "${configFile}" "${outputDir}/gateway-config.json"`],
        } : undefined,
      },
    });
    acknowledgeInHipaaAndNist(this.function, 'LambdaDLQ', `${props.description}: invoked synchronously; the caller receives every ` +
      'failure as an HTTP or invocation error, so there is no event to dead-letter.');
    acknowledgeInHipaaAndNist(this.function, 'LambdaInsideVPC', `${props.description}: calls only the SageMaker Runtime API over TLS ` +
      'with SigV4 and holds no data at rest; placing it in a VPC adds cold-start latency without reducing exposure.');
    acknowledgeInHipaaAndNist(this.function.role!, 'IAMNoInlinePolicy', `The inline policy belongs to the role of ${props.description} ` +
      'alone and names only its endpoints, log group and (when used) X-Ray.');
    acknowledge(this.function, { 'AwsSolutions-L1': 'Runs Node.js 24, the newest Node.js runtime Lambda offers.' });
  }
}

function writeConfigFile(json: string): string {
  // Content-addressed, so the bundling command (and the asset) is the same on every synth.
  const dir = path.join(tmpdir(), 'cdk-inference-platform');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `gateway-config-${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json`);
  writeFileSync(file, json);
  return file;
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'lambda'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cdk-inference-platform: cannot find the package root (with lambda/) above ${start}`);
  }
}
