import { Duration } from 'aws-cdk-lib';
import { CapacitySize, DeploymentStrategy } from '../deployment-strategy';
import { CapacityConfig, RolloutConfig } from './config-schema';

/** The strategy a config's `rollout` names. */
export function deploymentStrategy(rollout: RolloutConfig): DeploymentStrategy {
  switch (rollout.type) {
    case 'canary': return DeploymentStrategy.canary({
      size: capacitySize(rollout.size), bake: Duration.minutes(rollout.bakeMinutes),
      terminationWait: minutesOrUndefined(rollout.terminationWaitMinutes),
    });
    case 'linear': return DeploymentStrategy.linear({
      step: capacitySize(rollout.step), interval: Duration.minutes(rollout.intervalMinutes),
      terminationWait: minutesOrUndefined(rollout.terminationWaitMinutes),
    });
    case 'rolling': return DeploymentStrategy.rolling({
      batch: capacitySize(rollout.batch), interval: Duration.minutes(rollout.intervalMinutes),
      rollbackBatch: rollout.rollbackBatch && capacitySize(rollout.rollbackBatch),
    });
    case 'allAtOnce': return DeploymentStrategy.allAtOnce({ bake: minutesOrUndefined(rollout.bakeMinutes) });
  }
}

function capacitySize(size: CapacityConfig): CapacitySize {
  return 'instances' in size ? CapacitySize.instances(size.instances) : CapacitySize.percent(size.percent);
}

function minutesOrUndefined(minutes: number | undefined): Duration | undefined {
  return minutes === undefined ? undefined : Duration.seconds(Math.round(minutes * 60));
}
