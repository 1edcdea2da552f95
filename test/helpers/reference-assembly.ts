import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadCloudAssembly, CloudAssembly } from '../../lib/audit/cloud-assembly';
import { REPO_ROOT, referencePlatformApp } from './fixtures';

/**
 * The reference platform synthesized once and shared by every test file that only reads its
 * templates: exactly what `cdk synth` writes (cdk.json context, the compliance packs, the
 * template validator with the Guard rules), cached under node_modules/.cache by a hash of
 * everything a synth reads. The first file that asks synthesizes it; a file in the other jest
 * worker that asks meanwhile waits for it. Tests must not write into it: copy it to change it.
 */
const CACHE_ROOT = path.join(REPO_ROOT, 'node_modules', '.cache', 'cdk-inference-platform');
const INPUTS = ['lib', 'lambda', 'config/platform.json', 'cdk.json', 'package-lock.json', 'dist/handlers'];
const COMPLETE = '.complete';
const WAIT_LIMIT_MS = 15 * 60_000;

/** The directory of the shared reference cloud assembly, synthesized on first use. */
export function referenceAssemblyDir(): string {
  const dir = path.join(CACHE_ROOT, `reference-${inputsHash()}`);
  if (existsSync(path.join(dir, COMPLETE))) return dir;
  mkdirSync(CACHE_ROOT, { recursive: true });
  const lock = `${dir}.lock`;
  if (takeLock(lock)) {
    try {
      const staging = mkdtempSync(`${dir}.synth-`);
      referencePlatformApp(staging).synth();
      writeFileSync(path.join(staging, COMPLETE), '');
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
      // Older assemblies (of sources since changed) are of no use any more.
      for (const old of readdirSync(CACHE_ROOT)) {
        if (/^reference-[0-9a-f]+$/.test(old) && path.join(CACHE_ROOT, old) !== dir) rmSync(path.join(CACHE_ROOT, old), { recursive: true, force: true });
      }
      return dir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return waitFor(dir, lock);
}

/** The shared reference assembly, loaded (templates, manifests, metadata). */
export function referenceAssembly(): CloudAssembly {
  return loadCloudAssembly(referenceAssemblyDir());
}

/** The shared reference's templates by stack name. */
export function referenceTemplates(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(referenceAssembly().stacks.map((s) => [s.stackName, s.template as unknown as Record<string, unknown>]));
}

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(path.join(lock, 'pid'), String(process.pid));
    return true;
  } catch {
    // Held by a live process: wait. Left by one that died: take it over.
    const pid = Number(readFileSafe(path.join(lock, 'pid')));
    if (pid > 0 && !isAlive(pid)) {
      rmSync(lock, { recursive: true, force: true });
      return takeLock(lock);
    }
    return false;
  }
}

function waitFor(dir: string, lock: string): string {
  const started = Date.now();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(path.join(dir, COMPLETE))) {
    if (!existsSync(lock)) return referenceAssemblyDir();
    if (Date.now() - started > WAIT_LIMIT_MS) throw new Error(`the shared reference assembly ${dir} was not synthesized within 15 minutes (lock ${lock})`);
    Atomics.wait(pause, 0, 0, 250);
  }
  return dir;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A hash of the content of every file a reference synth reads (the project's sources, config, lock, handler bundles). */
function inputsHash(): string {
  const hash = createHash('sha256');
  const visit = (rel: string): void => {
    const abs = path.join(REPO_ROOT, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const entry of readdirSync(abs).sort()) visit(path.join(rel, entry));
    } else {
      hash.update(rel).update('\0').update(readFileSync(abs)).update('\0');
    }
  };
  INPUTS.forEach(visit);
  return hash.digest('hex').slice(0, 16);
}
