/**
 * One synth of the platform app in this process, timed by phase in wall-clock and CPU time (a
 * child of bin/bench/synth.ts, run fresh each time so no run warms the next). Prints one JSON line.
 * Usage: node dist/bin/bench/synth-phases.js CONFIG OUTDIR [--no-bundling] [--no-packs] [--no-validator]
 * (--no-validator: neither the built-in CloudFormation validator nor the Guard rules it carries)
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { sageMakerGuardPlugin } from '../../lib/compliance/sagemaker-guard-plugin';
import { parsePlatformConfig } from '../../lib/config/load-config';
import { InferencePlatformStage } from '../../lib/platform/inference-platform-stage';
import { platformNames } from '../../lib/config/platform-names';

const [configFile, outdir, ...flags] = process.argv.slice(2);
const started = performance.now();
/** CPU time of this process (all its threads; not its children, such as esbuild) in ms. */
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const cpuStarted = cpu();
const context = JSON.parse(readFileSync('cdk.json', 'utf8')).context;
const config = parsePlatformConfig(readFileSync(configFile, 'utf8'), configFile);
const parsed = performance.now();
const cpuParsed = cpu();
const app = new App({
  outdir,
  builtinCloudFormationValidation: !flags.includes('--no-validator'),
  // As `cdk synth` sets it for a stack it will not deploy: assets are staged without bundling.
  context: { ...context, ...(flags.includes('--no-bundling') ? { 'aws:cdk:bundling-stacks': [] } : {}) },
});
for (const [stageName, stage] of Object.entries(config.stages)) {
  new InferencePlatformStage(app, platformNames.sharedStack(config.name, stageName), {
    config, stageName, env: stage.account || stage.region ? { account: stage.account, region: stage.region } : undefined,
  });
}
// As addCompliancePacks adds them, each part switchable: the cdk-nag packs, and the template
// validator (the built-in one carries the project's Guard rules and replaces the default).
if (!flags.includes('--no-packs')) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app));
if (!flags.includes('--no-validator')) Validations.of(app).addPlugins(sageMakerGuardPlugin());
const constructed = performance.now();
const cpuConstructed = cpu();
app.synth();
const synthesized = performance.now();
const cpuSynthesized = cpu();
console.log(JSON.stringify({
  wall: { loadMs: Math.round(started), parseMs: Math.round(parsed - started), constructMs: Math.round(constructed - parsed), synthMs: Math.round(synthesized - constructed) },
  cpu: { loadMs: Math.round(cpuStarted), parseMs: Math.round(cpuParsed - cpuStarted), constructMs: Math.round(cpuConstructed - cpuParsed), synthMs: Math.round(cpuSynthesized - cpuConstructed) },
}));
