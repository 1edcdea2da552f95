import { App, AppProps } from 'aws-cdk-lib';
import { addCompliancePacks } from '../compliance/compliance-packs';
import { PlatformConfig } from '../config/config-schema';
import { platformNames } from '../config/platform-names';
import { InferencePlatformStage } from './inference-platform-stage';

/**
 * The platform app: one `InferencePlatformStage` per stage of the config (its shared stack and a
 * stack per model), with the compliance packs checking every stack on every synth (see
 * `addCompliancePacks`). An unacknowledged finding fails the synth.
 */
export function buildPlatformApp(config: PlatformConfig, appProps: AppProps = {}): App {
  const app = new App(appProps);
  for (const [stageName, stage] of Object.entries(config.stages)) {
    new InferencePlatformStage(app, platformNames.sharedStack(config.name, stageName), {
      config,
      stageName,
      env: stage.account || stage.region ? { account: stage.account, region: stage.region } : undefined,
    });
  }
  addCompliancePacks(app);
  return app;
}
