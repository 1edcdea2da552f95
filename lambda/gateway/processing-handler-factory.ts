import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { GatewayConfig } from './gateway-config';
import { loadGatewayConfig } from './gateway-config';
import { processEvent, processingLogLine, type ProcessingEvent, type ProcessingResult } from './processing';

/**
 * Builds a pre- or post-processing handler: config read once per container, one verdict and one
 * log line per event. Bad input and a bad configuration come back as `{ error }`, never thrown.
 */
export function createProcessingHandler(stage: 'input' | 'output', baseDir: string, env: NodeJS.ProcessEnv = process.env) {
  let config: GatewayConfig | Error;
  try {
    config = loadGatewayConfig(env, baseDir, { checksOnly: true });
  } catch (err) {
    config = err as Error;
    process.stdout.write(`${JSON.stringify({ level: 'ERROR', message: 'invalid gateway configuration', service: 'safety-gateway', problem: (err as Error).message })}\n`);
  }
  return async function handler(event: ProcessingEvent, context?: Pick<Context, 'awsRequestId'>): Promise<ProcessingResult> {
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
