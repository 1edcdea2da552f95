import { pipelineWildcardFindings, PipelineResources } from '../../lib/pipeline/pipeline-acknowledgements';

/** Only the wildcard patterns CDK Pipelines generates get a reason; any other wildcard stays a finding. */
const on: PipelineResources = { bucketArn: '<Artifacts.Arn>', keyArn: '<Key.Arn>', partition: 'aws', region: 'us-east-1', account: '240917318461' };

test('the artifact bucket\'s action groups and objects, the key\'s data-key actions, the project\'s own logs and reports', () => {
  expect(Object.keys(pipelineWildcardFindings({ actions: ['s3:GetObject*', 's3:List*'], resources: ['<Artifacts.Arn>', '<Artifacts.Arn>/*'] }, on))).toEqual([
    'AwsSolutions-IAM5[Action::s3:GetObject*]', 'AwsSolutions-IAM5[Action::s3:List*]', 'AwsSolutions-IAM5[Resource::<Artifacts.Arn>/*]',
  ]);
  expect(Object.keys(pipelineWildcardFindings({ actions: ['kms:GenerateDataKey*'], resources: ['<Key.Arn>'] }, on))).toEqual(['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]']);
  expect(Object.keys(pipelineWildcardFindings({ actions: ['logs:PutLogEvents'], resources: ['arn:aws:logs:us-east-1:240917318461:log-group:/aws/codebuild/<Project>:*'] }, on)))
    .toEqual(['AwsSolutions-IAM5[Resource::arn:aws:logs:us-east-1:240917318461:log-group:/aws/codebuild/<Project>:*]']);
});

test('the same action group on another bucket, any log group, or any role is not acknowledged', () => {
  expect(pipelineWildcardFindings({ actions: ['s3:GetObject*'], resources: ['arn:aws:s3:::other-bucket/*'] }, on)).toEqual({});
  expect(pipelineWildcardFindings({ actions: ['logs:PutLogEvents'], resources: ['arn:aws:logs:us-east-1:240917318461:log-group:*'] }, on)).toEqual({});
  expect(pipelineWildcardFindings({ actions: ['sts:AssumeRole'], resources: ['arn:*:iam::240917318461:role/*'] }, on)).toEqual({});
  expect(pipelineWildcardFindings({ actions: ['s3:GetObject'], resources: ['*'] }, on)).toEqual({});
});

test('self-mutation may assume the account\'s roles only under the CDK bootstrap-role condition', () => {
  const statement = { actions: ['sts:AssumeRole'], resources: ['arn:*:iam::240917318461:role/*'],
    conditions: { 'ForAnyValue:StringEquals': { 'iam:ResourceTag/aws-cdk:bootstrap-role': ['deploy'] } } };
  expect(Object.keys(pipelineWildcardFindings(statement, on))).toEqual(['AwsSolutions-IAM5[Resource::arn:*:iam::240917318461:role/*]']);
});
