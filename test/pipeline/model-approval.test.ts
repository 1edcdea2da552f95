import * as path from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { loadPlatformConfig } from '../../lib/config/load-config';
import { checkModelApprovals, registryGroup, requiredApprovals } from '../../bin/model-approval';
import { awsError, JsonStubServer, ok, startJsonStubServer } from '../helpers/aws-json-stub-server';
import { REPO_ROOT } from '../helpers/fixtures';

/** The pipeline's model approval check, with the real SageMaker client against a local server speaking its JSON protocol. */
const config = loadPlatformConfig(path.join(REPO_ROOT, 'config/pipeline.json'));
const required = requiredApprovals(config, 'prod');
const CHAT = config.models.chat.versions['2.3.0'].sha256;
const EMBED = config.models.embed.versions['1.1.0'].sha256;
const arn = (n: number) => `arn:aws:sagemaker:us-east-1:318204657932:model-package/inference-staging/${n}`;

interface Entry { model: string; version: string; sha256: string; status: string }
let stub: JsonStubServer;
let client: SageMakerClient;

function registry(entries: Entry[], pageSize = 100): void {
  // Newest first, as the check asks for; entry n has ARN .../n+1.
  stub.on('ListModelPackages', (input) => {
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const newestFirst = entries.map((e, i) => ({ e, i })).reverse();
    const page = newestFirst.slice(start, start + pageSize);
    return ok({
      ModelPackageSummaryList: page.map(({ e, i }) => ({ ModelPackageArn: arn(i + 1), ModelPackageGroupName: 'inference-staging', CreationTime: i, ModelPackageStatus: 'Completed', ModelApprovalStatus: e.status })),
      ...(start + pageSize < entries.length ? { NextToken: String(start + pageSize) } : {}),
    });
  });
  stub.on('DescribeModelPackage', (input) => {
    const n = Number(String(input.ModelPackageName).split('/').pop());
    const e = entries[n - 1];
    return ok({ ModelPackageArn: arn(n), ModelPackageName: 'inference-staging', ModelApprovalStatus: e.status, CreationTime: n, ModelPackageStatus: 'Completed',
      CustomerMetadataProperties: { model: e.model, version: e.version, sha256: e.sha256 } });
  });
}

beforeAll(async () => {
  stub = await startJsonStubServer();
  client = new SageMakerClient({ region: 'us-east-1', endpoint: stub.url, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await stub.close();
});

test('the versions production will serve, in the model registry stage\'s group', () => {
  expect(required).toEqual([{ model: 'chat', version: '2.3.0', sha256: CHAT }, { model: 'embed', version: '1.1.0', sha256: EMBED }]);
  expect(registryGroup(config)).toBe('inference-staging');
});

test('passes when every version is Approved, reading every page of the group', async () => {
  registry([
    { model: 'chat', version: '2.3.0', sha256: CHAT, status: 'Approved' },
    { model: 'embed', version: '1.0.0', sha256: EMBED, status: 'Rejected' },
    { model: 'embed', version: '1.1.0', sha256: EMBED, status: 'Approved' },
  ], 2);
  const results = await checkModelApprovals(client, 'inference-staging', required);
  expect(results.map((r) => r.failure)).toEqual([undefined, undefined]);
  expect(results.map((r) => r.modelPackageArn)).toEqual([arn(1), arn(3)]);
  expect(stub.callsOf('ListModelPackages')[0]).toMatchObject({ ModelPackageGroupName: 'inference-staging', SortBy: 'CreationTime', SortOrder: 'Descending' });
});

test('a pending, a rejected and an unregistered version each fail with the fix', async () => {
  registry([
    { model: 'chat', version: '2.3.0', sha256: CHAT, status: 'Approved' },
    // The newest registration of chat@2.3.0 decides: it was rejected after the first approval.
    { model: 'chat', version: '2.3.0', sha256: CHAT, status: 'Rejected' },
  ]);
  const [chat, embed] = await checkModelApprovals(client, 'inference-staging', required);
  expect(chat.failure).toBe(`chat@2.3.0 (sha256 ${CHAT.slice(0, 12)}…) is Rejected in inference-staging: it may not be promoted: serve an approved version in production instead`);
  expect(embed.failure).toBe(`embed@1.1.0 (sha256 ${EMBED.slice(0, 12)}…) is not registered in model package group inference-staging: ` +
    'the model registry stage registers the versions it serves, so deploy it there first');

  registry([{ model: 'chat', version: '2.3.0', sha256: CHAT, status: 'PendingManualApproval' }, { model: 'embed', version: '1.1.0', sha256: 'f'.repeat(64), status: 'Approved' }]);
  const [pending, otherArtifact] = await checkModelApprovals(client, 'inference-staging', required);
  expect(pending.failure).toBe(`chat@2.3.0 (sha256 ${CHAT.slice(0, 12)}…) is PendingManualApproval in inference-staging: approve it after review: ` +
    `aws sagemaker update-model-package --model-package-arn ${arn(1)} --model-approval-status Approved (the approval starts the pipeline again)`);
  // Another artifact under the same version label is not the one production would serve.
  expect(otherArtifact.failure).toContain('is not registered');
});

test('an error of the registry API propagates (the CLI reports it and exits 1)', async () => {
  stub.on('ListModelPackages', () => awsError('AccessDeniedException', 'not authorized to perform: sagemaker:ListModelPackages'));
  await expect(checkModelApprovals(client, 'inference-staging', required)).rejects.toThrow('not authorized');
});
