import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { driftEventEntry } from './drift-event';

/**
 * Republishes a drift alarm's state change as a `ModelDriftDetected` event on the stage's bus,
 * where retraining pipelines subscribe. The client is created once per container.
 */
const client = new EventBridgeClient({});
const eventBusName = process.env.EVENT_BUS_NAME ?? '';

export async function handler(input: unknown): Promise<{ published: boolean; error?: string }> {
  const entry = driftEventEntry(input, eventBusName);
  if ('error' in entry) {
    console.error(JSON.stringify({ level: 'ERROR', message: 'drift event not published', error: entry.error }));
    return { published: false, error: entry.error };
  }
  const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
  if (result.FailedEntryCount) {
    // Thrown so that EventBridge retries the delivery of the alarm event.
    throw new Error(`PutEvents failed: ${result.Entries?.[0]?.ErrorCode} ${result.Entries?.[0]?.ErrorMessage}`);
  }
  console.log(JSON.stringify({ level: 'INFO', message: 'ModelDriftDetected published', detail: JSON.parse(entry.Detail) }));
  return { published: true };
}
