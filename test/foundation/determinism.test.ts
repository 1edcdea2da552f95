import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadCloudAssembly } from '../../lib/audit/cloud-assembly';
import { REFERENCE_STACKS, referencePlatformApp } from '../helpers/fixtures';

describe('deterministic synthesis', () => {
  const dirs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'platform-determinism-')));
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('two synths of the reference platform write byte-identical templates', () => {
    for (const dir of dirs) referencePlatformApp(dir).synth();
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
