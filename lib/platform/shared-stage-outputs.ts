import { CfnOutput, Fn, Stack } from 'aws-cdk-lib';

/**
 * What a model's stack reads from its stage's shared stack: the physical names and key ARNs
 * CloudFormation generates there (ARNs of the rest are built in the model's stack, in its own
 * account and region). Names the platform chooses itself (endpoints, the event bus, the model
 * package group) are used as literals instead (see `platformNames`).
 */
export interface SharedStageOutputs {
  readonly artifactBucketName: string;
  readonly artifactKeyArn: string;
  readonly alarmTopicName: string;
  readonly driftPublisherName: string;
  readonly deadLetterQueueName: string;
  /** Only in stages with data capture. */
  readonly captureBucketName?: string;
  readonly captureKeyArn?: string;
}

/** The output of each value: named, stable, part of the shared stack's contract with its model stacks. */
const OUTPUT_NAMES: Record<keyof SharedStageOutputs, string> = {
  artifactBucketName: 'ArtifactBucketName',
  artifactKeyArn: 'ArtifactKeyArn',
  alarmTopicName: 'AlarmTopicName',
  driftPublisherName: 'DriftPublisherName',
  deadLetterQueueName: 'DeadLetterQueueName',
  captureBucketName: 'CaptureBucketName',
  captureKeyArn: 'CaptureKeyArn',
};

const DESCRIPTIONS: Record<keyof SharedStageOutputs, string> = {
  artifactBucketName: 'Upload model artifacts here',
  artifactKeyArn: 'Key that encrypts the model artifacts',
  alarmTopicName: 'Topic every alarm of the stage notifies',
  driftPublisherName: 'Function that turns drift alarms into ModelDriftDetected events',
  deadLetterQueueName: 'Dead letters of the drift rules',
  captureBucketName: 'Captured requests and answers of the stage\'s endpoints',
  captureKeyArn: 'Key that encrypts captured data',
};

/** Declares the shared stack's outputs (in its template, where `cdk deploy` prints them). */
export function publishSharedStageOutputs(stack: Stack, values: SharedStageOutputs): void {
  for (const [key, value] of Object.entries(values) as Array<[keyof SharedStageOutputs, string | undefined]>) {
    if (value !== undefined) new CfnOutput(stack, OUTPUT_NAMES[key], { value, description: DESCRIPTIONS[key] });
  }
}

/**
 * The shared stack's outputs as a model stack reads them: `Fn::GetStackOutput`, resolved when
 * the model stack deploys. Unlike `Fn::ImportValue` it creates no export, so nothing locks the
 * shared stack: it can change or replace a resource, and each model stack picks the new value up
 * on its next deployment (CloudFormation Template Reference, "Fn::GetStackOutput").
 */
export function readSharedStageOutputs(sharedStackName: string, withCapture: boolean): SharedStageOutputs {
  const read = (key: keyof SharedStageOutputs) => Fn.getStackOutput(sharedStackName, OUTPUT_NAMES[key]);
  return {
    artifactBucketName: read('artifactBucketName'),
    artifactKeyArn: read('artifactKeyArn'),
    alarmTopicName: read('alarmTopicName'),
    driftPublisherName: read('driftPublisherName'),
    deadLetterQueueName: read('deadLetterQueueName'),
    ...(withCapture ? { captureBucketName: read('captureBucketName'), captureKeyArn: read('captureKeyArn') } : {}),
  };
}
