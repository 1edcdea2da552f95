#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

/** A platform config as JSON, edited freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ConfigJson = Record<string, any>;

/**
 * The reference config with `models` models served in one stage: its own models, then copies of
 * them in turn (`chat-03`, `embed-04`, ...), each a model of its own with its artifact under its
 * own prefix and the stage settings of the model it copies. Other stages are left as they are.
 * For the scale benchmark and the limits tests; also a starting point for a platform team's
 * many-model config.
 */
export function scaledConfig(reference: ConfigJson, stage: string, models: number): ConfigJson {
  const config: ConfigJson = structuredClone(reference);
  const deployments: Record<string, ConfigJson> = config.stages[stage]?.models;
  if (!deployments) throw new Error(`stage ${JSON.stringify(stage)} is not in the config (stages: ${Object.keys(config.stages).join(', ')})`);
  const bases = Object.keys(deployments);
  for (let i = bases.length + 1; i <= models; i++) {
    const base = bases[(i - 1) % bases.length];
    const name = `${base}-${String(i).padStart(2, '0')}`;
    const model: ConfigJson = structuredClone(config.models[base]);
    for (const version of Object.values(model.versions) as ConfigJson[]) version.s3Key = version.s3Key.replace(`${base}/`, `${name}/`);
    config.models[name] = model;
    deployments[name] = structuredClone(deployments[base]);
  }
  return config;
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: 'config/platform.json' },
      stage: { type: 'string', default: 'prod' },
      models: { type: 'string', default: '50' },
    },
  });
  const models = Number(values.models);
  if (!Number.isInteger(models) || models < 1) {
    console.error(`--models ${JSON.stringify(values.models)} must be a whole number ≥ 1\nusage: tsx bin/scaled-config.ts [--config config/platform.json] [--stage prod] [--models 50] > scaled.json`);
    process.exit(2);
  }
  const reference = JSON.parse(readFileSync(path.resolve(values.config!), 'utf8'));
  process.stdout.write(`${JSON.stringify(scaledConfig(reference, values.stage!, models), null, 2)}\n`);
}
