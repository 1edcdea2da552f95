/** What the alarm rule hands the publisher: the alarm's state change plus the model it watches. */
export interface DriftAlarmInput {
  readonly stage: string;
  readonly model: string;
  readonly version: string;
  readonly alarmName: string;
  readonly alarmArn?: string;
  readonly state: string;
  readonly reason?: string;
  readonly time?: string;
}

/** The event retraining pipelines subscribe to. */
export const DRIFT_EVENT_SOURCE = 'cdk-inference-platform';
export const DRIFT_EVENT_DETAIL_TYPE = 'ModelDriftDetected';

export interface DriftEventEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
  readonly Resources: string[];
}

/**
 * The `ModelDriftDetected` entry for an alarm state change, or an error message naming the
 * missing field. Pure: the handler only sends what this returns.
 */
export function driftEventEntry(input: unknown, eventBusName: string): DriftEventEntry | { error: string } {
  if (!input || typeof input !== 'object') return { error: 'input must be an object with stage, model, version, alarmName and state' };
  const record = input as Record<string, unknown>;
  for (const field of ['stage', 'model', 'version', 'alarmName', 'state'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') return { error: `input.${field} must be a non-empty string` };
  }
  const drift = record as unknown as DriftAlarmInput;
  return {
    Source: DRIFT_EVENT_SOURCE,
    DetailType: DRIFT_EVENT_DETAIL_TYPE,
    EventBusName: eventBusName,
    Resources: typeof drift.alarmArn === 'string' ? [drift.alarmArn] : [],
    Detail: JSON.stringify({
      stage: drift.stage,
      model: drift.model,
      version: drift.version,
      alarm: { name: drift.alarmName, arn: drift.alarmArn, state: drift.state, reason: drift.reason },
      time: drift.time,
    }),
  };
}
