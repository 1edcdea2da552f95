#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { combineFaults, describeFault, endpointScenario, formatRolloutReport, parseFault, simulateRollouts } from '../lib';
import { InferencePlatformStage, buildPlatformApp, parsePlatformConfig } from '../lib/platform';

/**
 * `npm run simulate-rollout -- --stage prod --model chat --fault errors=10%`: plays the model's
 * rollout many times, with the strategy and rollback alarms the platform app builds for that stage.
 */
const usage = 'usage: simulate-rollout --stage STAGE --model MODEL [--fault errors=10%|latency=+300ms ...] ' +
  '[--rate REQUESTS_PER_MINUTE (default 120)] [--runs N (default 1000)] [--seed N] [--config FILE] [--json]';

function main(): void {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' }, model: { type: 'string' }, fault: { type: 'string', multiple: true },
      rate: { type: 'string', default: '120' }, runs: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' },
      config: { type: 'string', default: process.env.PLATFORM_CONFIG ?? 'config/platform.json' }, json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(usage);
  if (!values.stage || !values.model) throw new Error(`--stage and --model are required\n${usage}`);
  const rate = positiveNumber('--rate', values.rate!);
  const runs = Math.round(positiveNumber('--runs', values.runs!));
  const seed = Math.round(positiveNumber('--seed', values.seed!));
  const fault = combineFaults((values.fault ?? []).map(parseFault));

  const configPath = path.resolve(values.config!);
  const config = parsePlatformConfig(readFileSync(configPath, 'utf8'), path.relative(process.cwd(), configPath));
  if (!config.stages[values.stage]) throw new Error(`--stage ${values.stage} is not in ${values.config} (stages: ${Object.keys(config.stages).join(', ')})`);
  const stage = buildPlatformApp(config).node.findChild(`${config.name}-${values.stage}`) as InferencePlatformStage;
  const endpoint = stage.models[values.model]?.endpoint;
  if (!endpoint) throw new Error(`--model ${values.model} is not served in stage ${values.stage} (models: ${Object.keys(stage.models).join(', ')})`);

  const faulty = simulateRollouts(endpointScenario(endpoint, { requestsPerMinute: rate, fault }), runs, seed);
  const healthy = simulateRollouts(endpointScenario(endpoint, { requestsPerMinute: rate }), runs, seed);
  if (values.json) return console.log(JSON.stringify({ stage: values.stage, model: values.model, requestsPerMinute: rate, fault, faulty, healthy }, null, 2));
  const first = endpoint.rollout.steps[0];
  console.log(formatRolloutReport({
    title: `${values.model} in ${values.stage}: ${endpoint.deploymentStrategy.kind} rollout, first step ${(first.newFleetShare * 100).toFixed(0)}% ` +
      `of traffic for ${first.bakeSeconds / 60} min, final bake ${endpoint.rollout.finalBakeSeconds / 60} min; ` +
      `rollback alarms: ${endpoint.rollbackAlarmSpecs.map((a) => a.id).join(', ')}`,
    requestsPerMinute: rate,
    faultDescription: describeFault(fault),
    faulty,
    healthy,
  }));
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} ${JSON.stringify(value)} must be a positive number`);
  return n;
}

try {
  main();
} catch (error) {
  console.error(`simulate-rollout: ${(error as Error).message}`);
  process.exit(2);
}
