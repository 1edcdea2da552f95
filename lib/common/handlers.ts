import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** How one Lambda handler is built. */
export interface HandlerSource {
  /** Entry file under `lambda/`; it exports `handler`. */
  readonly entry: string;
  /**
   * Packages left out of the bundle and copied as they are into its `node_modules` (a WASM engine
   * that loads its `.wasm` file from its own directory). Only `package.json`, `LICENSE` and `build/`.
   */
  readonly copiedModules?: readonly string[];
}

/**
 * Every Lambda handler the constructs deploy, one line each. `npm run build` bundles each once
 * into `dist/handlers/<name>/` (bin/build-handlers.ts), the package ships those directories, and
 * `BundledFunction` deploys them as they are: a consumer needs no bundler.
 */
export const HANDLERS = {
  'gateway-handler': { entry: 'gateway/gateway-handler.ts', copiedModules: ['re2-wasm'] },
  'gateway-streaming-handler': { entry: 'gateway/streaming-handler.ts', copiedModules: ['re2-wasm'] },
  'pre-processing-handler': { entry: 'gateway/pre-processing-handler.ts', copiedModules: ['re2-wasm'] },
  'post-processing-handler': { entry: 'gateway/post-processing-handler.ts', copiedModules: ['re2-wasm'] },
  'drift-event-handler': { entry: 'drift/drift-event-handler.ts' },
  'scaling-guard-handler': { entry: 'scaling-guard/scaling-guard-handler.ts' },
} as const satisfies Record<string, HandlerSource>;

export type HandlerName = keyof typeof HANDLERS;

const PACKAGE_NAME = 'cdk-inference-platform';

/** The package root (the repository, or `node_modules/cdk-inference-platform`), wherever this file was compiled to. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

/** Where `npm run build` puts the prebuilt handlers. */
export const HANDLERS_DIR = path.join(PACKAGE_ROOT, 'dist', 'handlers');

/** The directory of one prebuilt handler (`index.js` and what it loads), checked to exist. */
export function prebuiltHandlerDir(name: HandlerName, handlersDir = HANDLERS_DIR): string {
  const dir = path.join(handlersDir, name);
  if (!existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`${PACKAGE_NAME}: the prebuilt Lambda handler "${name}" is missing (${path.join(dir, 'index.js')}): ` +
      'run `npm run build` in the repository (an installed package ships it; reinstall it if it was removed)');
  }
  return dir;
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new Error(`${PACKAGE_NAME}: cannot find its package.json above ${start}`);
  }
}
