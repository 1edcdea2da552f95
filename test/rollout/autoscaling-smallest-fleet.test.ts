import { Duration } from 'aws-cdk-lib';
import { CapacitySize, DeploymentStrategy } from '../../lib/rollout/deployment-strategy';
import { errorMessage } from '../helpers/fixtures';
import { addEndpoint, endpointFixture } from './rollout-fixtures';

// With RetainAllVariantProperties a deployment shifts the fleet as autoscaling left it, which can be
// as small as minCapacity: the strategy must hold there too, not only at the initial count.
describe('autoscaling and the deployment strategy at the smallest fleet', () => {
  test('a canary on 2 instances with minCapacity 1 is rejected, naming minCapacity and the fix', () => {
    const f = endpointFixture();
    const endpoint = addEndpoint(f, 'Chat', {
      instanceCount: 2,
      deploymentStrategy: DeploymentStrategy.canary({ size: CapacitySize.instances(1), bake: Duration.minutes(10) }),
    });
    const message = errorMessage(() => endpoint.autoScaleInstanceCount({ minCapacity: 1, maxCapacity: 4 }));
    expect(message).toContain('minCapacity: 1 breaks the deployment strategy at the smallest fleet — canary size: canary needs at least 2 instances');
  });

  test('the same canary with minCapacity 2 is accepted', () => {
    const f = endpointFixture();
    const endpoint = addEndpoint(f, 'Chat', {
      instanceCount: 2,
      deploymentStrategy: DeploymentStrategy.canary({ size: CapacitySize.instances(1), bake: Duration.minutes(10) }),
    });
    expect(() => endpoint.autoScaleInstanceCount({ minCapacity: 2, maxCapacity: 4 })).not.toThrow();
  });
});
