import { sdkEnv, setEnv } from '../gateway-fixtures';
import { installAwsLambdaGlobals, startHttpAdapter } from './lambda-streaming-runtime';
import { describeStreamingScenarios } from './streaming-scenarios';

describeStreamingScenarios('streaming gateway (TypeScript source, real SDK client, local event-stream stub, awslambda globals)', async (env) => {
  const restore = setEnv(env);
  installAwsLambdaGlobals();
  let handler: unknown;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the environment and the runtime's globals are set
    handler = (require('../../../lambda/gateway/streaming-handler') as typeof import('../../../lambda/gateway/streaming-handler')).handler;
  });
  const adapter = await startHttpAdapter(handler as Parameters<typeof startHttpAdapter>[0]);
  return {
    url: adapter.url,
    close: async () => {
      await adapter.close();
      restore();
    },
  };
}, sdkEnv);

