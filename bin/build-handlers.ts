#!/usr/bin/env node
/**
 * Bundles every Lambda handler of the registry (lib/common/handlers.ts) into
 * `dist/handlers/<name>/`, once per change of its inputs: part of `npm run build`, run again by
 * the tests' global setup when lambda/ changed. `--force` rebuilds anyway.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { HANDLERS, HANDLERS_DIR, PACKAGE_ROOT, type HandlerName, type HandlerSource } from '../lib/common/handlers';
import { runCli } from './cli-args';

/**
 * Credential providers the SDK's default chain imports dynamically, only after `fromEnv` found
 * nothing. Lambda always puts the role's credentials in the environment, so in Lambda they are
 * dead code (~85 KB minified, mostly the nested STS/SSO clients). Left external, they resolve
 * from the runtime's own SDK if a non-Lambda host ever reaches them.
 */
export const UNREACHED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
];

/**
 * The esbuild options of every handler (measured with `npm run bench`):
 * - the AWS SDK is bundled, so the deployed version is the tested one, not Lambda's built-in one;
 * - `mainFields: module first` lets esbuild tree-shake the SDK's ES modules; with the providers
 *   above left out the gateway bundle is ~313 KB and starts cold in ~125 ms, against 160 ms
 *   loading the runtime's SDK;
 * - no source maps: `--enable-source-maps` costs 25–37 ms of cold start, and a map without its
 *   sources (the SDK's included) explains nothing.
 * Each entry starts with a legal comment `cdk-inference-platform:<entry>` that identifies the
 * bundle in cdk.out.
 */
export const HANDLER_ESBUILD_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  mainFields: ['module', 'main'],
  external: UNREACHED_CREDENTIAL_PROVIDERS,
  logLevel: 'warning',
};

/** Records the hash of the inputs the handlers in dist/handlers were built from (not shipped). */
const STAMP_FILE = path.join(PACKAGE_ROOT, 'dist', 'handlers.sha256');

/** Bundles one handler into `outDir` (`index.js` plus its copied modules). */
export function buildHandler(source: HandlerSource, outDir: string): void {
  const copied = source.copiedModules ?? [];
  buildSync({
    ...HANDLER_ESBUILD_OPTIONS,
    external: [...UNREACHED_CREDENTIAL_PROVIDERS, ...copied],
    entryPoints: [path.join(PACKAGE_ROOT, 'lambda', source.entry)],
    outfile: path.join(outDir, 'index.js'),
    absWorkingDir: PACKAGE_ROOT,
  });
  for (const name of copied) {
    const from = path.dirname(require.resolve(`${name}/package.json`, { paths: [PACKAGE_ROOT] }));
    const to = path.join(outDir, 'node_modules', name);
    fs.mkdirSync(to, { recursive: true });
    for (const part of ['package.json', 'LICENSE', 'build']) fs.cpSync(path.join(from, part), path.join(to, part), { recursive: true });
  }
}

/**
 * What the bundles are made of: the sources under lambda/, the registry, these options and the
 * locked dependency versions.
 */
export function handlerInputsHash(): string {
  const hash = createHash('sha256');
  const files = [
    ...listFiles(path.join(PACKAGE_ROOT, 'lambda')),
    path.join(PACKAGE_ROOT, 'lib', 'common', 'handlers.ts'),
    path.join(PACKAGE_ROOT, 'bin', 'build-handlers.ts'),
    path.join(PACKAGE_ROOT, 'package-lock.json'),
  ];
  for (const file of files) {
    hash.update(`${path.relative(PACKAGE_ROOT, file)}\0`);
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * Builds every handler into dist/handlers unless it was built from the same inputs. The new
 * directory replaces the old one whole, so removed handlers disappear.
 */
export function ensureHandlersBuilt(options: { force?: boolean } = {}): { built: boolean; sizes: Record<string, number> } {
  const inputs = handlerInputsHash();
  const upToDate = fs.existsSync(STAMP_FILE) && fs.readFileSync(STAMP_FILE, 'utf8').trim() === inputs &&
    Object.keys(HANDLERS).every((name) => fs.existsSync(path.join(HANDLERS_DIR, name, 'index.js')));
  if (!upToDate || options.force) {
    const staging = `${HANDLERS_DIR}.building-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    for (const [name, source] of Object.entries(HANDLERS) as [HandlerName, HandlerSource][]) buildHandler(source, path.join(staging, name));
    fs.rmSync(HANDLERS_DIR, { recursive: true, force: true });
    fs.renameSync(staging, HANDLERS_DIR);
    fs.writeFileSync(STAMP_FILE, `${inputs}\n`);
  }
  const sizes = Object.fromEntries(Object.keys(HANDLERS).map((name) => [name, fs.statSync(path.join(HANDLERS_DIR, name, 'index.js')).size]));
  return { built: !upToDate || !!options.force, sizes };
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

if (require.main === module) {
  runCli({
    name: 'build-handlers',
    usage: 'usage: build-handlers [--force]\n  bundles every handler of lib/common/handlers.ts into dist/handlers/<name>/ when its inputs changed\n  --force  rebuild anyway',
    options: { force: { type: 'boolean', default: false } },
  }, (flags) => {
    const { built, sizes } = ensureHandlersBuilt({ force: flags.force });
    for (const [name, bytes] of Object.entries(sizes)) {
      console.log(`${built ? 'built' : 'up to date'}: ${path.relative(process.cwd(), path.join(HANDLERS_DIR, name, 'index.js'))} ${(bytes / 1024).toFixed(1)} KB`);
    }
  });
}
