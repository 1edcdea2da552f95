import { Stage, StageProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { pascalCase } from '../common/pascal-case';
import type { PlatformConfig } from '../config/config-schema';
import { platformNames } from '../config/platform-names';
import { PlatformDashboard } from '../monitoring/platform-dashboard';
import { ModelStack } from './model-stack';
import { readSharedStageOutputs } from './shared-stage-outputs';
import { SharedStageStack } from './shared-stage-stack';

export interface InferencePlatformStageProps extends StageProps {
  /** The validated platform config (see `parsePlatformConfig`). */
  readonly config: PlatformConfig;
  /** Which of the config's stages this is. */
  readonly stageName: string;
}

/**
 * One stage of the platform, as a CDK Stage: a shared stack (`<platform>-<stage>`: artifact
 * store, data capture, alerting, safety gateway, the stage overview) and one stack per model
 * (`<platform>-<stage>-<model>`), each far from CloudFormation's 500 resources and 1 MB per
 * template whatever the number of models. The model stacks read the shared stack's outputs with
 * `Fn::GetStackOutput` and depend on it; nothing depends on a model stack, so a model's change
 * deploys its stack alone. Deploy it with `cdk deploy '<platform>-<stage>/*'`, or add it to a
 * CDK Pipelines pipeline with `pipeline.addStage(stage)`, which orders the stacks the same way.
 */
export class InferencePlatformStage extends Stage {
  public readonly shared: SharedStageStack;
  /** The models' stacks, by model name. */
  public readonly models: Record<string, ModelStack> = {};
  /** The stage overview and its further pages, in the shared stack. */
  public readonly dashboard: PlatformDashboard;

  constructor(scope: Construct, id: string, props: InferencePlatformStageProps) {
    super(scope, id, props);
    const { config, stageName } = props;
    const stage = config.stages[stageName];
    if (!stage) throw new Error(`stage ${JSON.stringify(stageName)} is not in the platform config (stages: ${Object.keys(config.stages).join(', ')})`);
    const description = (what: string) => `${config.name} GPU inference platform, stage ${stageName}: ${what} (cdk-inference-platform)`;
    const tags = { platform: config.name, stage: stageName };

    const sharedStackName = platformNames.sharedStack(config.name, stageName);
    this.shared = new SharedStageStack(this, 'Shared', {
      config, stageName, stackName: sharedStackName, description: description('shared resources and gateway'), tags,
    });
    const shared = readSharedStageOutputs(sharedStackName, stage.dataCapture !== undefined);
    for (const modelName of Object.keys(stage.models)) {
      const stack = new ModelStack(this, modelName, {
        config, stageName, modelName, shared,
        stackName: platformNames.modelStack(config.name, stageName, modelName),
        description: description(`model ${modelName}`),
        tags: { ...tags, model: modelName },
      });
      // The outputs it reads must exist first: the only edge between the stage's stacks.
      stack.addStackDependency(this.shared, 'reads the shared stack\'s outputs (Fn::GetStackOutput)');
      this.models[modelName] = stack;
    }

    // The overview reads only literal facts of each model (metric names, its health alarm by its
    // literal ARN): a reference to a model stack would make the shared stack depend on it.
    this.dashboard = new PlatformDashboard(this.shared, 'Dashboard', {
      stage: stageName,
      platformName: config.name,
      models: Object.values(this.models).map((m) => ({
        name: m.modelName,
        endpoint: m.endpoint,
        gateway: m.gateway,
        healthAlarm: cloudwatch.Alarm.fromAlarmArn(this.shared, `${pascalCase(m.modelName)}Health`,
          ModelStack.healthAlarmArn(this.shared, config, stageName, m.modelName)),
        dashboardName: platformNames.modelDashboard(config.name, stageName, m.modelName),
      })),
    });
  }
}
