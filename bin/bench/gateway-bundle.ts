import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { HANDLER_ESBUILD_OPTIONS } from '../build-handlers';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The three Lambda entry points of the SafetyGateway construct. */
export const GATEWAY_ENTRIES = ['gateway-handler', 'pre-processing-handler', 'post-processing-handler'] as const;
export type GatewayEntry = (typeof GATEWAY_ENTRIES)[number];

/**
 * The options `npm run build` bundles the handlers with (bin/build-handlers.ts), re2-wasm left
 * external as there, plus a source map so the bench can measure what `--enable-source-maps`
 * would cost (the shipped bundles have none).
 */
export const GATEWAY_ESBUILD_OPTIONS: BuildOptions = {
  ...HANDLER_ESBUILD_OPTIONS,
  sourcemap: true,
  external: ['re2-wasm', ...(HANDLER_ESBUILD_OPTIONS.external ?? [])],
  logLevel: 'silent',
};

/** Bundles one entry into `outDir/<entry>/index.js` and returns the path. */
export function bundleGatewayEntry(entry: GatewayEntry, outDir: string): string {
  const outfile = path.join(outDir, entry, 'index.js');
  buildSync({ ...GATEWAY_ESBUILD_OPTIONS, entryPoints: [path.join(REPO_ROOT, 'lambda', 'gateway', `${entry}.ts`)], outfile, absWorkingDir: REPO_ROOT });
  return outfile;
}

export const bundleMarker = (entry: GatewayEntry): string => `cdk-inference-platform:${entry}`;

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
