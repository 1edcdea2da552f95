import { describeGatewayScenarios } from './gateway-scenarios';
import type { Handler } from './gateway-fixtures';

describeGatewayScenarios('gateway handler (TypeScript source, real SDK client, local SageMaker Runtime stub)', () => {
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the environment is set
    handler = (require('../../lambda/gateway/gateway-handler') as typeof import('../../lambda/gateway/gateway-handler')).handler;
  });
  return handler!;
});
