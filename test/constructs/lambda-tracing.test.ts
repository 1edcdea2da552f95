import { Template } from 'aws-cdk-lib/assertions';
import { Json } from '../helpers/fixtures';
import { servingStack } from './fixtures';

describe('the platform\'s Lambda functions are traced like the API stage', () => {
  test('every function (gateway handler, pre- and post-processing, drift publisher) has active X-Ray tracing and may write traces', () => {
    const { stack } = servingStack();
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Json>;
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const [id, fn] of functions) {
      expect({ id, tracing: fn.Properties.TracingConfig }).toEqual({ id, tracing: { Mode: 'Active' } });
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId));
      expect(JSON.stringify(policies)).toContain('xray:PutTraceSegments');
    }
  });
});
