import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { GatewayConfig } from './gateway-config';
import { loadConfigWithSecrets, loadOnce, logLoadFailure, secretsManagerFetcher, type SecretFetcher } from './policy-secrets';
import { processEvent, processingLogLine, type ProcessingEvent, type ProcessingResult } from './processing';

/**
 * Builds a pre- or post-processing handler: config and policy secrets read once per container, one
 * verdict and one log line per event. Bad input and a bad configuration come back as `{ error }`, never thrown.
 */
export function createProcessingHandler(stage: 'input' | 'output', baseDir: string, env: NodeJS.ProcessEnv = process.env,
  fetchSecret: SecretFetcher = secretsManagerFetcher) {
  const load = loadOnce(async (): Promise<GatewayConfig | Error> => {
    try {
      return await loadConfigWithSecrets(env, baseDir, { checksOnly: true }, fetchSecret);
    } catch (err) {
      logLoadFailure(err as Error);
      return err as Error;
    }
  });
  void load();
  return async function handler(event: ProcessingEvent, context?: Pick<Context, 'awsRequestId'>): Promise<ProcessingResult> {
    const config = await load();
    const started = performance.now();
    const fallbackId = () => (typeof event?.requestId === 'string' && event.requestId) || context?.awsRequestId || randomUUID();
    let result: ProcessingResult;
    if (config instanceof Error) {
      result = { error: { code: 'internal_error', message: 'the handler is misconfigured; see its log' }, requestId: fallbackId() };
    } else {
      try {
        result = processEvent(config, stage, event, context?.awsRequestId);
      } catch {
        result = { error: { code: 'internal_error', message: 'the check failed' }, requestId: fallbackId() };
      }
    }
    process.stdout.write(`${processingLogLine(stage, result, performance.now() - started)}\n`);
    return result;
  };
}
