import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePlatformConfig } from '../../lib/config/load-config';
import { platformConfigJsonSchema } from '../../lib/config/config-schema';
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

describe('config/platform.schema.json', () => {
  test('equals platformConfigJsonSchema() (regenerate with `npm run schema`)', () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'config/platform.schema.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(platformConfigJsonSchema(), null, 2)}\n`);
  });
});
