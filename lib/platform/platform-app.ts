import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { sageMakerGuardPlugin } from '../compliance-rules/sagemaker-guard-plugin';
import { PlatformConfig } from './config-schema';
import { InferencePlatformStack } from './inference-platform-stack';

/**
 * The platform app: one stack per stage of the config, with the AwsSolutions, HIPAA Security and
 * NIST 800-53 R5 packs checking every synth. An unacknowledged finding fails the synth.
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
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app));
  // The built-in template validator with the SageMaker Guard rules SM-001..SM-005 (default rules kept).
  Validations.of(app).addPlugins(sageMakerGuardPlugin());
  return app;
}
