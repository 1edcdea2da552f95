import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { referencePlatformApp } from '../helpers/fixtures';

describe('deterministic synthesis', () => {
  const dirs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'platform-determinism-')));
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('two synths of the reference platform write byte-identical templates', () => {
    for (const dir of dirs) referencePlatformApp(dir).synth();
    const templates = dirs.map((dir) => readdirSync(dir).filter((f) => f.endsWith('.template.json')).sort());
    expect(templates[0]).toEqual(['inference-prod.template.json', 'inference-staging.template.json']);
    expect(templates[1]).toEqual(templates[0]);
    for (const file of templates[0]) {
      const [a, b] = dirs.map((dir) => readFileSync(path.join(dir, file)));
      expect(a.equals(b)).toBe(true);
    }
    // No timestamps or random ids leak in.
    const text = readFileSync(path.join(dirs[0], 'inference-prod.template.json'), 'utf8');
    expect(text).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
  });
});
