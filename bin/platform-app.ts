#!/usr/bin/env node
import { relative, resolve, sep } from 'node:path';
import { buildPlatformApp, loadPlatformConfig, PlatformConfigError } from '../lib/platform';

/**
 * The platform app `cdk synth` runs: reads the platform config (PLATFORM_CONFIG, default
 * config/platform.json under the project directory) and builds one stack per stage, or the
 * promotion pipeline when the config has a `pipeline` section. A config mistake prints one line
 * per problem, `file:line:column: path: problem and fix`, and exits 1.
 */
try {
  const file = process.env.PLATFORM_CONFIG || 'config/platform.json';
  // The pipeline synthesizes the same file from its checkout of the repository.
  const configFile = relative(process.cwd(), resolve(file)).split(sep).join('/');
  buildPlatformApp(loadPlatformConfig(file), {}, { configFile }).synth();
} catch (error) {
  if (!(error instanceof PlatformConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
