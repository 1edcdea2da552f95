import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { PlatformConfigError, parsePlatformConfig } from '../../lib/config/load-config';
import { isPipelineStage, isSmokeTested, modelRegistrationStatus, pipelineStages } from '../../lib/pipeline/pipeline-plan';
import { pipelineSource } from '../../lib/pipeline/pipeline-source';
import { PIPELINE_CDK_CLI_VERSION } from '../../lib/pipeline/platform-pipeline-stack';
import { buildPlatformApp } from '../../lib/platform/platform-app';
import { Json, REPO_ROOT } from '../helpers/fixtures';

/** The `pipeline` section: validated with messages naming the field, the value and the fix. */
const example = (): Json => JSON.parse(readFileSync(path.join(REPO_ROOT, 'config/pipeline.json'), 'utf8'));
const reference = (): Json => JSON.parse(readFileSync(path.join(REPO_ROOT, 'config/platform.json'), 'utf8'));

function problemsOf(config: Json): readonly string[] {
  try {
    parsePlatformConfig(JSON.stringify(config, null, 2), 'pipeline.json');
  } catch (error) {
    if (error instanceof PlatformConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('pipeline config', () => {
  test('the example config is valid; the reference config has no pipeline', () => {
    expect(problemsOf(example())).toEqual([]);
    expect(problemsOf(reference())).toEqual([]);
    expect(reference().pipeline).toBeUndefined();
  });

  test('stages it lists must exist, once each, and production comes last', () => {
    const config = example();
    config.pipeline.stages = ['staging', 'qa', 'staging', 'prod'];
    expect(problemsOf(config)).toEqual([
      'pipeline.stages.1: "qa" is not a stage under "stages" (stages: staging, prod)',
      'pipeline.stages.2: "staging" is listed twice: a stage is deployed once per run',
    ]);
    config.pipeline.stages = ['prod'];
    expect(problemsOf(config)).toEqual(['pipeline.stages: ["prod"] must list at least two stages: one to test, then production']);
  });

  test('the model registry stage must come before production and keep a registry', () => {
    const config = example();
    config.pipeline.modelRegistryStage = 'prod';
    expect(problemsOf(config)).toEqual(['pipeline.modelRegistryStage: "prod" must be a stage the pipeline deploys before production prod (one of: staging)']);
    const noRegistry = example();
    delete noRegistry.stages.staging.artifactStore;
    expect(problemsOf(noRegistry)).toEqual([
      'stages.staging.artifactStore.modelPackageGroup: must be true: staging is pipeline.modelRegistryStage, where new model versions wait for approval',
    ]);
  });

  test('production may serve only versions the registry stage serves, so that they can be approved', () => {
    const config = example();
    config.models.chat.versions['2.4.0'] = { ...config.models.chat.versions['2.3.0'], s3Key: 'chat/2.4.0/' };
    config.stages.prod.models.chat.version = '2.4.0';
    expect(problemsOf(config)).toEqual([
      'stages.prod.models.chat.version: "2.4.0" is not served by the model registry stage staging (it serves 2.3.0), so it could never be registered ' +
        'and approved there: serve chat@2.4.0 in staging first',
    ]);
  });

  test('every stage before production needs a gateway to smoke-test', () => {
    const config = example();
    delete config.stages.staging.gateway;
    expect(problemsOf(config)).toEqual([
      'stages.staging.gateway: is required: the pipeline smoke-tests staging through its gateway before promoting to prod (add "gateway": {"consumers": []} at least)',
    ]);
  });

  test('sources: a CodeConnections ARN of the pipeline\'s account, a CodeCommit repository or an S3 object', () => {
    const config = example();
    config.pipeline.source.connectionArn = 'arn:aws:codeconnections:us-east-1:318204657932:connection/7d2b9c4e-1f3a-4b6d-8e5c-9a0f1b2c3d4e';
    expect(problemsOf(config)).toEqual([
      'pipeline.source.connectionArn: "arn:aws:codeconnections:us-east-1:318204657932:connection/7d2b9c4e-1f3a-4b6d-8e5c-9a0f1b2c3d4e" is in account 318204657932, ' +
        'not the pipeline\'s account 240917318461: create the connection in the pipeline\'s account (CodePipeline uses connections of its own account)',
    ]);
    config.pipeline.source.connectionArn = 'github.com/example-org';
    expect(problemsOf(config)).toEqual([
      'pipeline.source.connectionArn: "github.com/example-org" must be the ARN of an AWS CodeConnections connection: arn:aws:codeconnections:<region>:<account>:connection/<uuid> ' +
        '(console: Developer Tools > Settings > Connections)',
    ]);
    config.pipeline.source = { type: 's3', bucketName: 'platform-source', objectKey: 'platform.tar' };
    expect(problemsOf(config)).toEqual(['pipeline.source.objectKey: "platform.tar" must be the key of a .zip of the repository, without a leading "/"']);
    config.pipeline.source = { type: 'codecommit', repositoryName: 'inference-platform' };
    expect(problemsOf(config)).toEqual(['pipeline.source.branch: is required (Invalid input: expected string, received undefined)']);
  });

  test('a placeholder pipeline account, and a misspelt key, are named with the fix', () => {
    const config = example();
    config.pipeline.account = '123456789012';
    config.pipeline.connectionArn = config.pipeline.source.connectionArn;
    expect(problemsOf(config)).toEqual(['pipeline.connectionArn: is not a known setting (known: account, region, source, stages, modelRegistryStage)']);
    delete config.pipeline.connectionArn;
    config.pipeline.source.connectionArn = 'arn:aws:codeconnections:us-east-1:123456789012:connection/7d2b9c4e-1f3a-4b6d-8e5c-9a0f1b2c3d4e';
    expect(problemsOf(config)).toEqual([
      'pipeline.account: "123456789012" is a placeholder account from AWS documentation examples: use the account the pipeline runs in',
    ]);
  });
});

describe('pipeline plan', () => {
  const config = parsePlatformConfig(JSON.stringify(example()));
  const plain = parsePlatformConfig(JSON.stringify(reference()));

  test('stages in order, each in its pinned environment or the pipeline\'s', () => {
    const unpinned = { ...config, stages: { ...config.stages, staging: { ...config.stages.staging, account: undefined, region: undefined } } };
    expect(pipelineStages({ ...unpinned, pipeline: config.pipeline! })).toEqual([
      { name: 'staging', account: '240917318461', region: 'us-east-1', production: false },
      { name: 'prod', account: '529163840275', region: 'us-east-1', production: true },
    ]);
    expect([isPipelineStage(config, 'staging'), isSmokeTested(config, 'staging'), isSmokeTested(config, 'prod'), isPipelineStage(plain, 'staging')])
      .toEqual([true, true, false, false]);
  });

  test('versions are registered pending approval with a pipeline (approved in production), approved without one', () => {
    expect([modelRegistrationStatus(config, 'staging'), modelRegistrationStatus(config, 'prod'), modelRegistrationStatus(plain, 'prod')])
      .toEqual(['PendingManualApproval', 'Approved', 'Approved']);
  });

  test('a config outside the repository cannot be synthesized by the pipeline', () => {
    expect(() => buildPlatformApp(config, {}, { configFile: '../elsewhere/pipeline.json' }))
      .toThrow('the platform config ../elsewhere/pipeline.json is outside the project: the pipeline synthesizes from its checkout of the repository');
  });
});

test('self-mutation runs the CDK CLI version the project pins', () => {
  const pinned = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).devDependencies['aws-cdk'];
  expect(`~${PIPELINE_CDK_CLI_VERSION}`).toBe(pinned);
});

describe('pipeline sources', () => {
  test.each([
    ['CodeCommit', { type: 'codecommit' as const, repositoryName: 'inference-platform', branch: 'main' }, { RepositoryName: 'inference-platform', BranchName: 'main' }],
    ['S3', { type: 's3' as const, bucketName: 'platform-source', objectKey: 'platform/source.zip' }, { S3Bucket: 'platform-source', S3ObjectKey: 'platform/source.zip' }],
  ])('a %s source becomes that source action', (provider, source, configuration) => {
    const stack = new Stack(new App(), 'Pipeline', { env: { account: '240917318461', region: 'us-east-1' } });
    new pipelines.CodePipeline(stack, 'Pipeline', {
      synth: new pipelines.ShellStep('Synth', { input: pipelineSource(stack, source), commands: ['npm ci'] }),
    });
    const pipeline = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as Json;
    expect(pipeline.Properties.Stages[0].Actions[0]).toMatchObject({ ActionTypeId: { Provider: provider }, Configuration: configuration });
  });
});
