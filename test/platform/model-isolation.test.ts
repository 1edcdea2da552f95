import { parsePlatformConfig } from '../../lib/config/load-config';
import { buildPlatformApp } from '../../lib/platform/platform-app';
import { scaledConfig } from '../../bin/scaled-config';
import { Json, cdkJsonContext, referenceConfigJson } from '../helpers/fixtures';

/**
 * What a change deploys: the templates of two synths of the platform, one config edited between
 * them. A model's change must leave every other stack byte for byte as it was, so `cdk deploy`
 * (and a pipeline) updates that model's stack alone.
 */
function templates(config: Json): Record<string, string> {
  const assembly = buildPlatformApp(parsePlatformConfig(JSON.stringify(config)), { context: cdkJsonContext() }).synth();
  return Object.fromEntries(assembly.nestedAssemblies.flatMap((a) => a.nestedAssembly.stacks).map((s) => [s.stackName, JSON.stringify(s.template)]));
}

/** The stacks whose template differs between two synths, and those only in one of them. */
function changed(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((name) => before[name] !== after[name]);
}

/** The reference config with a second version of embed, served in prod as `version`. */
function withEmbedVersion(version: string): Json {
  const config = referenceConfigJson();
  config.models.embed.versions['1.2.0'] = { ...config.models.embed.versions['1.1.0'], s3Key: 'embed/1.2.0/model.tar.gz', sourceCommit: 'b28d0f14e3a5' };
  config.stages.prod.models.embed.version = version;
  return config;
}

let base: Record<string, string>;
beforeAll(() => {
  base = templates(withEmbedVersion('1.1.0'));
}, 900_000);

test('a new version of one model changes only that model\'s stack', () => {
  const after = templates(withEmbedVersion('1.2.0'));
  expect(changed(base, after)).toEqual(['inference-prod-embed']);
  // And it is the change it should be: a new Model and EndpointConfig that serve 1.2.0.
  expect(after['inference-prod-embed']).toContain('embed@1.2.0');
  expect(base['inference-prod-embed']).not.toContain('embed@1.2.0');
}, 900_000);

test('a model\'s fleet settings change only that model\'s stack; adding a model adds its stack and a gateway route, and leaves the other models\' stacks as they are', () => {
  const config = withEmbedVersion('1.1.0');
  config.stages.prod.models.chat.instanceCount = 3;
  config.stages.prod.models.chat.autoscaling.minCapacity = 3;
  const added = scaledConfig(config, 'prod', 3);
  const after = templates(added);
  expect(changed(base, after)).toEqual(['inference-prod', 'inference-prod-chat', 'inference-prod-chat-03']);
  expect(after['inference-prod']).toContain('inference-prod-chat-03');
}, 900_000);
