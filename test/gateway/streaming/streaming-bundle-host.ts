/**
 * Runs in a fresh Node process: installs the Lambda runtime's streaming globals, loads the
 * bundled streaming handler named on the command line, and serves it through the local stand-in
 * for API Gateway; tells the parent its URL over IPC and closes on 'close'.
 */
import { createRequire } from 'node:module';
import { installAwsLambdaGlobals, startHttpAdapter } from './lambda-streaming-runtime';

installAwsLambdaGlobals();
const load = createRequire(__filename);
const { handler } = load(process.argv[2]) as { handler: Parameters<typeof startHttpAdapter>[0] };
void startHttpAdapter(handler).then((adapter) => {
  process.on('message', (m) => {
    if (m === 'close') void adapter.close().then(() => process.exit(0));
  });
  process.send!({ ready: true, url: adapter.url });
});
