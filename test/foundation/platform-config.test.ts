import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePlatformConfig } from '../../lib/config/load-config';
import { platformConfigJsonSchema } from '../../lib/config/config-schema';
import { isPlaceholderAccount } from '../../lib/config/account-references';
import { REPO_ROOT, configProblemsAfter, errorMessage, referenceConfigJson } from '../helpers/fixtures';

const problemsOf = configProblemsAfter;

describe('parsePlatformConfig', () => {
  test('accepts the reference config', () => {
    const config = parsePlatformConfig(readFileSync(path.join(REPO_ROOT, 'config/platform.json'), 'utf8'));
    expect(Object.keys(config.stages)).toEqual(['staging', 'prod']);
    expect(config.models.chat.versions['2.3.0'].parameterCount).toBe(32.5e9);
  });

  test('a non-GPU type names the nearest GPU types', () => {
    expect(problemsOf((c) => { c.stages.prod.models.chat.instanceType = 'ml.m5.large'; }))
      .toEqual(['stages.prod.models.chat.instanceType: "ml.m5.large" is not a GPU instance type (nearest: ml.g5.xlarge, ml.g6.xlarge)']);
  });

  test('an unknown key suggests the closest known one', () => {
    expect(problemsOf((c) => { c.stages.prod.models.chat.instanceTyp = 'ml.g5.xlarge'; }).join('\n'))
      .toContain('stages.prod.models.chat.instanceTyp: is not a known setting (did you mean "instanceType"?)');
    expect(problemsOf((c) => { c.stages.prod.artifactStore.objectLok = {}; }).join('\n'))
      .toContain('stages.prod.artifactStore.objectLok: is not a known setting (did you mean "objectLock"?)');
  });

  test('bad JSON is one line naming the source, the line and the column', () => {
    const message = errorMessage(() => parsePlatformConfig('{ "name": ', 'config/platform.json'));
    expect(message).toBe('config/platform.json:1:11: not valid JSON: expected a value');
  });

  test('a version the model does not define lists the versions it has', () => {
    expect(problemsOf((c) => { c.stages.prod.models.chat.version = '9.9.9'; }))
      .toEqual(['stages.prod.models.chat.version: "9.9.9" is not a version of chat (versions: 2.3.0)']);
  });

  test('a model not defined under "models" lists the defined ones', () => {
    expect(problemsOf((c) => { c.stages.prod.models.vision = { version: '1', instanceType: 'ml.g5.xlarge' }; }))
      .toEqual(['stages.prod.models: "vision" is not a model defined under "models" (defined: chat, embed)']);
  });

  test('a model that does not fit names the smallest type that does', () => {
    const [problem] = problemsOf((c) => { c.stages.staging.models.chat.instanceType = 'ml.g5.2xlarge'; });
    expect(problem).toMatch(/^stages\.staging\.models\.chat\.instanceType: "ml\.g5\.2xlarge" cannot hold chat@2\.3\.0 \(32\.5B parameters at bf16: /);
    expect(problem).toContain('the smallest catalog type that fits is ml.g5.12xlarge');
  });

  test('tensor-parallel degree above the GPU count, bad lineage and unsupported region', () => {
    const problems = problemsOf((c) => {
      c.stages.staging.models.chat.tensorParallelDegree = 8;
      c.models.chat.versions['2.3.0'].sha256 = 'nope';
      c.stages.prod.region = 'xx-mars-1';
    });
    expect(problems).toEqual(expect.arrayContaining([
      'stages.staging.models.chat.tensorParallelDegree: 8 exceeds the 4 GPU(s) of ml.g5.12xlarge: use 1–4',
      'models.chat.versions.2.3.0.sha256: "nope" must be 64 lower-case hex characters (the output of `sha256sum`)',
      expect.stringMatching(/^stages\.prod\.region: "xx-mars-1" has no AWS deep learning container registry/),
    ]));
  });

  test('schema problems name the path, the value and the rule', () => {
    const problems = problemsOf((c) => {
      c.stages.prod.models.chat.instanceCount = 0;
      c.stages.prod.account = '123';
      c.name = 'Inference';
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain('stages.prod.models.chat.instanceCount: 0');
    expect(problems.join('\n')).toContain('stages.prod.account: "123" must be a 12-digit AWS account id');
    expect(problems.join('\n')).toContain('name: "Inference" must be lower-case letters');
  });

  test('several semantic problems are reported at once, one line each, at their place in the file', () => {
    const config = referenceConfigJson();
    config.stages.prod.models.chat.instanceType = 'ml.m5.large';
    config.stages.staging.models.embed.version = '0.0.1';
    config.stages.staging.models.vision = { version: '1', instanceType: 'ml.g5.xlarge' };
    const message = errorMessage(() => parsePlatformConfig(JSON.stringify(config, null, 2), 'config/platform.json'));
    const lines = message.split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^config\/platform\.json:\d+:\d+: stages\.(prod|staging)\.models/);
  });
});

describe('ARNs in a stage name real accounts: its own, or one declared external', () => {
  const readerAt = (arn: string, edit: (prod: Record<string, unknown>) => void = () => undefined) => problemsOf((config) => {
    config.stages.prod.dataCapture.readerRoleArns = [arn];
    edit(config.stages.prod);
  });

  test('the reference config names no placeholder account anywhere', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'config/platform.json'), 'utf8');
    for (const account of text.match(/\b\d{12}\b/g) ?? []) expect(isPlaceholderAccount(account)).toBe(false);
  });

  test.each(['123456789012', '111122223333', '444455556666', '777788889999', '000000000000', '999999999999'])(
    'a placeholder account from AWS documentation examples is refused (%s)', (account) => {
      expect(readerAt(`arn:aws:iam::${account}:role/ml-drift-analysis`)).toEqual([
        `stages.prod.dataCapture.readerRoleArns.0: "arn:aws:iam::${account}:role/ml-drift-analysis" names account ${account}, a placeholder ` +
        'from AWS documentation examples: AWS rejects policies naming principals or resources that do not exist, so the deploy would fail; ' +
        'use the ARN of a real resource, or remove the setting',
      ]);
    });

  test('the retraining target and the web ACL are checked too', () => {
    const problems = problemsOf((config) => {
      config.stages.prod.models.chat.retrainingTrigger = { type: 'sagemaker-pipeline', arn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/retrain' };
      config.stages.prod.gateway.webAclArn = 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/acl/1';
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['stages.prod.gateway.webAclArn', 'stages.prod.models.chat.retrainingTrigger.arn']);
  });

  test('an account other than the stage\'s pinned one is refused, with the fix', () => {
    expect(readerAt('arn:aws:iam::210000000001:role/analyst', (prod) => { prod.account = '310000000002'; })).toEqual([
      'stages.prod.dataCapture.readerRoleArns.0: "arn:aws:iam::210000000001:role/analyst" is in account 210000000001, not the stage\'s ' +
      'account 310000000002: if it is external on purpose, add "210000000001" to stages.prod.externalAccounts; otherwise use the ARN in 310000000002',
    ]);
  });

  test('an account declared external on purpose is accepted; a placeholder cannot be declared external', () => {
    const config = referenceConfigJson();
    Object.assign(config.stages.prod, { account: '310000000002', externalAccounts: ['210000000001'] });
    config.stages.prod.dataCapture.readerRoleArns = ['arn:aws:iam::210000000001:role/analyst', 'arn:aws:iam::310000000002:role/own'];
    expect(parsePlatformConfig(JSON.stringify(config)).stages.prod.externalAccounts).toEqual(['210000000001']);
    expect(problemsOf((c) => { c.stages.prod.externalAccounts = ['123456789012']; })).toEqual([
      'stages.prod.externalAccounts.0: "123456789012" is a placeholder account from AWS documentation examples, not a real account: remove it',
    ]);
  });
});

describe('canary tokens and sensitive banned words live in Secrets Manager', () => {
  test('a canary token in a model\'s safety policy is refused, pointing at gateway.policySecrets', () => {
    expect(problemsOf((config) => { config.models.chat.safetyPolicy.canary = { tokens: ['cnry-7f3a9c2e51'] }; })).toEqual([
      'models.chat.safetyPolicy.canary.tokens: would be readable in the template and the Lambda environment: remove them, and set ' +
      'stages.<stage>.gateway.policySecrets.chat to "generate" (a secret with a random token) or to your secret\'s ARN',
    ]);
  });

  test('policySecrets takes "generate" or a complete secret ARN of a model the stage serves; ARNs are account-checked', () => {
    const problems = problemsOf((config) => {
      config.stages.prod.gateway.policySecrets = {
        vision: 'generate',
        embed: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:embed-policy-AbCdEf',
      };
      config.stages.staging.gateway.policySecrets = { chat: 'my-secret' };
    });
    expect(problems).toEqual([
      'stages.staging.gateway.policySecrets.chat: "my-secret" must be "generate" or the complete ARN of a Secrets Manager secret (ending in -XXXXXX)',
    ]);
    const semantic = problemsOf((config) => {
      config.stages.prod.gateway.policySecrets = { vision: 'generate', embed: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:embed-policy-AbCdEf' };
    });
    expect(semantic.map((p) => p.split(':')[0])).toEqual(['stages.prod.gateway.policySecrets.embed', 'stages.prod.gateway.policySecrets']);
    expect(semantic[1]).toContain('"vision" is not a model this stage serves');
  });
});

describe('reserved concurrency fits the account\'s Lambda quota (100 stay unreserved)', () => {
  test('prod reserves 105 (gateway 100, drift publisher 5): an account quota of 200 is refused with the sum and the fix', () => {
    expect(problemsOf((config) => { config.stages.prod.lambdaConcurrencyLimit = 200; })).toEqual([
      'stages.prod: reserve 105 concurrent executions (stages.prod.gateway.reservedConcurrency: 100, the drift publisher of prod: 5), ' +
      'but the quota (stages.prod.lambdaConcurrencyLimit 200) leaves at most 100 to reserve, because Lambda keeps 100 unreserved: ' +
      'lower the reservations, or raise the account\'s quota in Service Quotas and set lambdaConcurrencyLimit to it',
    ]);
  });

  test('205 is enough; without a setting, Lambda\'s default quota of 1000 applies', () => {
    const config = referenceConfigJson();
    config.stages.prod.lambdaConcurrencyLimit = 205;
    expect(parsePlatformConfig(JSON.stringify(config)).stages.prod.lambdaConcurrencyLimit).toBe(205);
    expect(problemsOf((c) => { c.stages.prod.gateway.reservedConcurrency = 896; })[0]).toMatch(/^stages\.prod: reserve 901 .*quota \(Lambda's default 1000; set lambdaConcurrencyLimit if yours differs\) leaves at most 900/);
  });

  test('stages pinned to the same account and region share the quota', () => {
    const problems = problemsOf((config) => {
      for (const stage of ['staging', 'prod']) Object.assign(config.stages[stage], { account: '310000000002', region: 'us-east-1', lambdaConcurrencyLimit: 220 });
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^stages\.staging \+ stages\.prod \(same account and region\): reserve 130 /);
  });
});

describe('config/platform.schema.json', () => {
  test('equals platformConfigJsonSchema() (regenerate with `npm run schema`)', () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'config/platform.schema.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(platformConfigJsonSchema(), null, 2)}\n`);
  });
});
