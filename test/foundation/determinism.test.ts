import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadCloudAssembly } from '../../lib/audit/cloud-assembly';
import { REFERENCE_STACKS, referencePlatformApp } from '../helpers/fixtures';
import { referenceAssemblyDir } from '../helpers/reference-assembly';

describe('deterministic synthesis', () => {
  const fresh = mkdtempSync(path.join(tmpdir(), 'platform-determinism-'));
  afterAll(() => rmSync(fresh, { recursive: true, force: true }));

  test('two synths of the reference platform write byte-identical templates', () => {
    // The shared assembly was synthesized by another process (or an earlier run): a second synth here.
    referencePlatformApp(fresh).synth();
    const dirs = [referenceAssemblyDir(), fresh];
    // Every template of every stage's nested assembly.
    const templates = dirs.map((dir) => loadCloudAssembly(dir).stacks.map((s) => s.templateFile));
    expect(templates[0]).toHaveLength(REFERENCE_STACKS.length);
    expect(templates[1]).toEqual(templates[0]);
    for (const file of templates[0]) {
      const [a, b] = dirs.map((dir) => readFileSync(path.join(dir, file)));
      expect({ file, identical: a.equals(b) }).toEqual({ file, identical: true });
      // No timestamps or random ids leak in.
      expect(a.toString()).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
    }
  });
});
