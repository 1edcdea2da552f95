import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The three Lambda entry points of the SafetyGateway construct. */
export const GATEWAY_ENTRIES = ['gateway-handler', 'pre-processing-handler', 'post-processing-handler'] as const;
export type GatewayEntry = (typeof GATEWAY_ENTRIES)[number];

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
 * The esbuild options the SafetyGateway construct's NodejsFunction uses (bundling: minify: true,
 * sourceMap: true, target: 'node22', format: CJS, mainFields: ['module', 'main'],
 * externalModules: ['re2-wasm', ...UNREACHED_CREDENTIAL_PROVIDERS]).
 * - The SDK itself is bundled: Lambda's built-in SDK version is not ours to pin.
 * - `mainFields: module first` lets esbuild tree-shake the SDK's ES modules (554 KB → 421 KB).
 * - re2-wasm stays external: it loads re2.wasm from its own directory (ship it with
 *   `nodeModules: ['re2-wasm']` when a policy has custom patterns).
 * Each entry starts with a legal comment `cdk-inference-platform:<entry>` that survives
 * minification and identifies the bundle in cdk.out.
 */
export const GATEWAY_ESBUILD_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  mainFields: ['module', 'main'],
  external: ['re2-wasm', ...UNREACHED_CREDENTIAL_PROVIDERS],
  logLevel: 'silent',
};

/** Bundles one entry into `outDir/<entry>/index.js` and returns the path. */
export function bundleGatewayEntry(entry: GatewayEntry, outDir: string): string {
  const outfile = path.join(outDir, entry, 'index.js');
  buildSync({ ...GATEWAY_ESBUILD_OPTIONS, entryPoints: [path.join(REPO_ROOT, 'lambda', 'gateway', `${entry}.ts`)], outfile, absWorkingDir: REPO_ROOT });
  return outfile;
}

export const bundleMarker = (entry: GatewayEntry): string => `cdk-inference-platform:${entry}`;

/** The newest modification time of any source under lambda/ (what a bundle is built from). */
export function newestLambdaSourceMs(dir = path.join(REPO_ROOT, 'lambda')): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestLambdaSourceMs(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The bundle `npm run synth` wrote for an entry (cdk.out/asset.<hash>/index.js holding its
 * marker), if any; the newest when stale assets of earlier synths are still there.
 */
export function findSynthesizedBundle(entry: GatewayEntry, cdkOut = path.join(REPO_ROOT, 'cdk.out')): string | undefined {
  if (!fs.existsSync(cdkOut)) return undefined;
  let best: { file: string; mtimeMs: number } | undefined;
  for (const dir of fs.readdirSync(cdkOut)) {
    const file = path.join(cdkOut, dir, 'index.js');
    if (!dir.startsWith('asset.') || !fs.existsSync(file)) continue;
    if (!fs.readFileSync(file, 'utf8').includes(bundleMarker(entry))) continue;
    const { mtimeMs } = fs.statSync(file);
    if (best === undefined || mtimeMs > best.mtimeMs) best = { file, mtimeMs };
  }
  return best?.file;
}
