#!/usr/bin/env node
import { buildPlatformApp, loadPlatformConfig, PlatformConfigError } from '../lib/platform';

/**
 * The platform app `cdk synth` runs: reads the platform config (PLATFORM_CONFIG, default
 * config/platform.json under the project directory) and builds one stack per stage. A config
 * mistake prints one line per problem, `file:line:column: path: problem and fix`, and exits 1.
 */
try {
  buildPlatformApp(loadPlatformConfig(process.env.PLATFORM_CONFIG || 'config/platform.json')).synth();
} catch (error) {
  if (!(error instanceof PlatformConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
