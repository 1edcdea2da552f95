#!/usr/bin/env node
import { combineFaults, describeFault, endpointScenario, formatRolloutReport, parseFault, simulateRollouts } from '../lib';
import { InferencePlatformStage, buildPlatformApp, loadPlatformConfig, PlatformConfigError } from '../lib/platform';
import { failingWith, numberFlag, runCli, UsageError } from './cli-args';

/**
 * `npm run simulate-rollout -- --stage prod --model chat --fault errors=10%`: plays the model's
 * rollout many times, with the strategy and rollback alarms the platform app builds for that stage.
 */
const USAGE = `usage: npm run simulate-rollout -- --stage STAGE --model MODEL [--fault errors=10%|latency=+300ms ...]
    [--rate REQUESTS_PER_MINUTE] [--runs N] [--seed N] [--config FILE] [--json]
  --stage, --model  the stage and the model whose rollout to play
  --fault           a fault of the new version: errors=10% (share of 5xx) or latency=+300ms (added p99); repeatable
  --rate            requests per minute (default 120)
  --runs            rollouts to play (default 1000)
  --seed            the random seed, for reproducible runs (default 1)
  --config          the platform config (default $PLATFORM_CONFIG or config/platform.json)
  --json            machine-readable output
  --help            this text
exit: 0 report written, 1 a config mistake, 2 bad usage`;

runCli({
  name: 'simulate-rollout',
  usage: USAGE,
  options: {
    stage: { type: 'string' }, model: { type: 'string' }, fault: { type: 'string', multiple: true },
    rate: { type: 'string', default: '120' }, runs: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' },
    config: { type: 'string', default: process.env.PLATFORM_CONFIG || 'config/platform.json' }, json: { type: 'boolean', default: false },
  },
}, (flags) => {
  if (!flags.stage || !flags.model) throw new UsageError('--stage and --model are required');
  const rate = numberFlag('--rate', flags.rate, { min: 0.001 });
  const runs = numberFlag('--runs', flags.runs, { min: 1, integer: true });
  const seed = numberFlag('--seed', flags.seed, { min: 0, integer: true });
  const fault = combineFaults((flags.fault ?? []).map((spec) => failingWith([Error], () => parseFault(spec))));

  const config = failingWith([PlatformConfigError], () => loadPlatformConfig(flags.config), 1);
  if (!config.stages[flags.stage]) throw new UsageError(`--stage ${flags.stage} is not in ${flags.config} (stages: ${Object.keys(config.stages).join(', ')})`);
  const stage = buildPlatformApp(config).node.findChild(`${config.name}-${flags.stage}`) as InferencePlatformStage;
  const endpoint = stage.models[flags.model]?.endpoint;
  if (!endpoint) throw new UsageError(`--model ${flags.model} is not served in stage ${flags.stage} (models: ${Object.keys(stage.models).join(', ')})`);

  const faulty = simulateRollouts(endpointScenario(endpoint, { requestsPerMinute: rate, fault }), runs, seed);
  const healthy = simulateRollouts(endpointScenario(endpoint, { requestsPerMinute: rate }), runs, seed);
  if (flags.json) {
    console.log(JSON.stringify({ stage: flags.stage, model: flags.model, requestsPerMinute: rate, fault, faulty, healthy }, null, 2));
    return;
  }
  const first = endpoint.rollout.steps[0];
  console.log(formatRolloutReport({
    title: `${flags.model} in ${flags.stage}: ${endpoint.deploymentStrategy.kind} rollout, first step ${(first.newFleetShare * 100).toFixed(0)}% ` +
      `of traffic for ${first.bakeSeconds / 60} min, final bake ${endpoint.rollout.finalBakeSeconds / 60} min; ` +
      `rollback alarms: ${endpoint.rollbackAlarmSpecs.map((a) => a.id).join(', ')}`,
    requestsPerMinute: rate,
    faultDescription: describeFault(fault),
    faulty,
    healthy,
  }));
});
