import { App, AppProps } from 'aws-cdk-lib';
import { addCompliancePacks } from '../compliance/compliance-packs';
import { PlatformConfig } from '../config/config-schema';
import { InferencePlatformStack } from './inference-platform-stack';

/**
 * The platform app: one stack per stage of the config, with the compliance packs checking every
 * synth (see `addCompliancePacks`). An unacknowledged finding fails the synth.
 */
export function buildPlatformApp(config: PlatformConfig, appProps: AppProps = {}): App {
  const app = new App(appProps);
  for (const [stageName, stage] of Object.entries(config.stages)) {
    new InferencePlatformStack(app, `${config.name}-${stageName}`, {
      config,
      stageName,
      env: stage.account || stage.region ? { account: stage.account, region: stage.region } : undefined,
      description: `${config.name} GPU inference platform, stage ${stageName} (cdk-inference-platform)`,
      tags: { platform: config.name, stage: stageName },
    });
  }
  addCompliancePacks(app);
  return app;
}
