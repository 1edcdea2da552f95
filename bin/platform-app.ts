#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildPlatformApp, parsePlatformConfig, PlatformConfigError } from '../lib/platform';

/**
 * The platform app `cdk synth` runs: reads the platform config (PLATFORM_CONFIG, default
 * config/platform.json under the project directory) and builds one stack per stage.
 */
const configPath = path.resolve(process.env.PLATFORM_CONFIG ?? 'config/platform.json');
try {
  const config = parsePlatformConfig(readFileSync(configPath, 'utf8'), path.relative(process.cwd(), configPath));
  buildPlatformApp(config).synth();
} catch (error) {
  if (error instanceof PlatformConfigError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
    console.error((error as Error).message);
    process.exit(1);
  }
  throw error;
}
