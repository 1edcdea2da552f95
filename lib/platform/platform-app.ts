import { App, AppProps } from 'aws-cdk-lib';
import { addCompliancePacks } from '../compliance/compliance-packs';
import { PlatformConfig } from '../config/config-schema';
import { platformNames } from '../config/platform-names';
import { isPipelineStage } from '../pipeline/pipeline-plan';
import { PlatformPipelineStack } from '../pipeline/platform-pipeline-stack';
import { InferencePlatformStage } from './inference-platform-stage';

export interface PlatformAppOptions {
  /**
   * The config file, relative to the repository root: the promotion pipeline synthesizes it
   * (PLATFORM_CONFIG) when the config has a `pipeline` section.
   * @default 'config/platform.json'
   */
  readonly configFile?: string;
}

/**
 * The platform app: one `InferencePlatformStage` per stage of the config (its shared stack and a
 * stack per model), with the compliance packs checking every stack on every synth (see
 * `addCompliancePacks`). An unacknowledged finding fails the synth. With a `pipeline` section the
 * stages it lists are deployed by the promotion pipeline's stack (`<name>-pipeline`) instead;
 * stages it does not list stay in the app, deployed by hand.
 */
export function buildPlatformApp(config: PlatformConfig, appProps: AppProps = {}, options: PlatformAppOptions = {}): App {
  const app = new App(appProps);
  const pipeline = config.pipeline;
  if (pipeline) {
    const configFile = options.configFile ?? 'config/platform.json';
    if (configFile.startsWith('../') || configFile.startsWith('/') || /^[A-Za-z]:/.test(configFile)) {
      throw new Error(`the platform config ${configFile} is outside the project: the pipeline synthesizes from its checkout of the repository, ` +
        'so keep the config with a pipeline section in the repository and set PLATFORM_CONFIG to its path there (e.g. config/pipeline.json)');
    }
    new PlatformPipelineStack(app, platformNames.pipelineStack(config.name), {
      config: { ...config, pipeline },
      configFile,
      stackName: platformNames.pipelineStack(config.name),
      description: `${config.name} GPU inference platform: promotion pipeline ${pipeline.stages.join(' → ')} (cdk-inference-platform)`,
    });
  }
  for (const [stageName, stage] of Object.entries(config.stages)) {
    if (isPipelineStage(config, stageName)) continue;
    new InferencePlatformStage(app, platformNames.sharedStack(config.name, stageName), {
      config,
      stageName,
      env: stage.account || stage.region ? { account: stage.account, region: stage.region } : undefined,
    });
  }
  addCompliancePacks(app);
  return app;
}
