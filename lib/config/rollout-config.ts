import { Duration } from 'aws-cdk-lib';
import { CapacitySize, DeploymentStrategy } from '../rollout/deployment-strategy';
import { CapacityConfig, RolloutConfig } from './config-schema';

/** The strategy a config's `rollout` names. */
export function deploymentStrategy(rollout: RolloutConfig): DeploymentStrategy {
  switch (rollout.type) {
    case 'canary': return DeploymentStrategy.canary({
      size: capacitySize(rollout.size), bake: minutes(rollout.bakeMinutes),
      terminationWait: minutesOrUndefined(rollout.terminationWaitMinutes),
    });
    case 'linear': return DeploymentStrategy.linear({
      step: capacitySize(rollout.step), interval: minutes(rollout.intervalMinutes),
      terminationWait: minutesOrUndefined(rollout.terminationWaitMinutes),
    });
    case 'rolling': return DeploymentStrategy.rolling({
      batch: capacitySize(rollout.batch), interval: minutes(rollout.intervalMinutes),
      rollbackBatch: rollout.rollbackBatch && capacitySize(rollout.rollbackBatch),
    });
    case 'allAtOnce': return DeploymentStrategy.allAtOnce({ bake: minutesOrUndefined(rollout.bakeMinutes) });
  }
}

function capacitySize(size: CapacityConfig): CapacitySize {
  return 'instances' in size ? CapacitySize.instances(size.instances) : CapacitySize.percent(size.percent);
}

/** Whole seconds, so fractional minutes never trip CDK's integral-seconds conversion. */
function minutes(value: number): Duration {
  return Duration.seconds(Math.round(value * 60));
}

function minutesOrUndefined(value: number | undefined): Duration | undefined {
  return value === undefined ? undefined : minutes(value);
}
