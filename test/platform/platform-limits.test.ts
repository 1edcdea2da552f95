import { parsePlatformConfig, PlatformConfigError } from '../../lib/config/load-config';
import { peakInstances, platformLimitProblems } from '../../lib/config/platform-limits';
import { scaledConfig } from '../../bin/scaled-config';
import { Json, configProblemsAfter, referenceConfig, referenceConfigJson } from '../helpers/fixtures';

/** The limit problems of the reference config after `edit` (the config must otherwise be valid). */
function limitProblems(edit: (config: Json) => void): string[] {
  const config = referenceConfigJson();
  edit(config);
  try {
    return platformLimitProblems(parsePlatformConfig(JSON.stringify(config)));
  } catch (error) {
    return (error as PlatformConfigError).problems;
  }
}

describe('platformLimitProblems', () => {
  test('the reference config and its 50-model scale-up have none', () => {
    expect(platformLimitProblems(referenceConfig())).toEqual([]);
    expect(() => parsePlatformConfig(JSON.stringify(scaledConfig(referenceConfigJson(), 'prod', 50)))).not.toThrow();
  });

  test('an endpoint name past SageMaker\'s 63 characters names the model, the length and by how much to shorten', () => {
    const problems = configProblemsAfter((c) => {
      c.name = 'inference-platform-ml-team';
      c.models['multilingual-embedding-large-v2'] = c.models.embed;
      c.stages.staging.models['multilingual-embedding-large-v2'] = c.stages.staging.models.embed;
    });
    expect(problems).toEqual(['stages.staging.models.multilingual-embedding-large-v2: the endpoint name ' +
      '"inference-platform-ml-team-staging-multilingual-embedding-large-v2" (<name>-<stage>-<model>) has 66 characters, SageMaker allows 63: ' +
      'shorten the platform, stage or model name by 3']);
  });

  test('a drift rule name past EventBridge\'s 64 characters (endpoint name + "-drift")', () => {
    const problems = limitProblems((c) => {
      c.name = 'inference-platform-ml-team';
      c.models['multilingual-embedding-large'] = c.models.embed;
      c.stages.prod.models['multilingual-embedding-large'] = c.stages.prod.models.embed;
    });
    expect(problems).toEqual(['stages.prod.models.multilingual-embedding-large: the drift rule name ' +
      '"inference-platform-ml-team-prod-multilingual-embedding-large-drift" (<name>-<stage>-<model>-drift) has 66 characters, EventBridge allows 64: ' +
      'shorten the platform, stage or model name by 2']);
  });

  test('the model package group name (<name>-<stage>) past 63 characters, only where the stage registers models', () => {
    const stage = 'production-eu-west-one-with-a-very-long-stage-nm'.slice(0, 32);
    const problems = limitProblems((c) => {
      c.name = 'inference-platform-of-the-ml-org'.slice(0, 32);
      c.stages[stage] = c.stages.prod;
      delete c.stages.prod;
      c.stages[stage].models = { embed: c.stages[stage].models.embed };
    });
    expect(problems.some((p) => /artifactStore\.modelPackageGroup: the group name .* SageMaker allows 63/.test(p))).toBe(true);
  });

  test('stages in one account and region that would create the same stack, endpoint or dashboard', () => {
    const problems = limitProblems((c) => {
      c.stages['prod-eu'] = { ...c.stages.prod, models: { chat: c.stages.prod.models.chat } };
      c.models['eu-chat'] = c.models.chat;
      c.stages.prod.models['eu-chat'] = c.stages.prod.models.chat;
    });
    expect(problems).toEqual(expect.arrayContaining([
      'stages.prod.models.eu-chat and stages.prod-eu.models.chat: both would create the stack "inference-prod-eu-chat" in the same account and region: rename a stage or a model',
      'stages.prod.models.eu-chat and stages.prod-eu.models.chat: both would create the endpoint "inference-prod-eu-chat" in the same account and region: rename a stage or a model',
      'stages.prod.models.eu-chat and stages.prod-eu.models.chat: both would create the dashboard "inference-prod-eu-chat" in the same account: rename a stage or a model',
    ]));
    // Different accounts do not collide (dashboards are per account, stacks and endpoints per account and region).
    expect(limitProblems((c) => {
      c.stages.prod.account = '111111111111';
      c.stages['prod-eu'] = { ...c.stages.prod, account: '222222222222', models: { chat: c.stages.prod.models.chat } };
      c.models['eu-chat'] = c.models.chat;
      c.stages.prod.models['eu-chat'] = c.stages.prod.models.chat;
    })).toEqual([]);
  });

  test('too many models for the stage\'s endpoint quota, counting every stage that shares the account and region', () => {
    const problems = limitProblems((c) => {
      c.stages.prod.quotas = { endpoints: 3 };
    });
    // Staging may deploy anywhere (no account or region), so it may share prod's quota: 4 endpoints.
    expect(problems).toEqual(['stages.prod.quotas.endpoints: 3 SageMaker endpoints allowed, but 4 models would be served in its account and region ' +
      '(staging: 2, prod: 2; a stage without account or region may deploy there too), one endpoint each: request a quota increase (Service Quotas, SageMaker) or serve fewer models']);
    expect(limitProblems((c) => {
      c.stages.prod.quotas = { endpoints: 3 };
      c.stages.staging.region = 'eu-west-1';
    })).toEqual([]);
  });

  test('instances per type against the quota, with the second fleet of a blue/green rollout', () => {
    // prod chat: canary, autoscaling up to 6 on ml.g6e.12xlarge: up to 12 during a rollout.
    expect(peakInstances(referenceConfig().stages.prod.models.chat)).toEqual({ 'ml.g6e.12xlarge': 12 });
    // staging embed scales to zero on its inference component, up to 1 instance; rolling: the fleet plus one batch.
    expect(peakInstances(referenceConfig().stages.staging.models.embed)).toEqual({ 'ml.g5.xlarge': 1 });
    expect(peakInstances({ ...referenceConfig().stages.prod.models.embed, rollout: { type: 'rolling', batch: { percent: 25 }, intervalMinutes: 5 } })).toEqual({ 'ml.g6.xlarge': 5 });
    const problems = limitProblems((c) => {
      c.stages.prod.quotas = { instances: { 'ml.g6e.12xlarge': 8, 'ml.g6.xlarge': 8 } };
    });
    expect(problems).toEqual([expect.stringMatching(/^stages\.prod\.quotas\.instances\.ml\.g6e\.12xlarge: 8 allowed for endpoint usage, but 12 may run in its account and region \(prod: 12; .*blue\/green/)]);
  });

  test('the CloudFormation stack quota: 2000 by default, or the stage\'s', () => {
    expect(limitProblems((c) => {
      c.stages.prod.quotas = { stacks: 5 };
    })).toEqual([expect.stringMatching(/^stages\.prod\.quotas\.stacks: 5 CloudFormation stacks allowed, but 6 would be in its account and region \(staging: 3, prod: 3; .*one shared stack per stage and one per model\)/)]);
  });

  test('a gateway in front of more models than its handler role\'s inline policy can grant', () => {
    // About 78 characters per endpoint ARN in us-east-1, besides the policy's other statements.
    expect(platformLimitProblems(parsePlatformConfig(JSON.stringify(scaledConfig(referenceConfigJson(), 'prod', 110))))).toEqual([]);
    const tooMany = scaledConfig(referenceConfigJson(), 'prod', 140);
    expect(configProblemsAfter((c) => Object.assign(c, tooMany))).toEqual([
      expect.stringMatching(/^stages\.prod\.gateway: its handler may invoke 140 endpoints, whose ARNs make an inline policy of about \d+ characters; IAM allows 10240 per role: serve at most 1[12]\d models in this stage/),
    ]);
  });

  test('quotas are part of the schema: a typo is named', () => {
    expect(configProblemsAfter((c) => {
      c.stages.prod.quotas = { endpoint: 3 };
    })).toEqual([expect.stringContaining('stages.prod.quotas.endpoint: is not a known setting (did you mean "endpoints"?)')]);
  });
});
