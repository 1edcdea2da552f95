import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { diffAssemblies, renderDiffMarkdown } from '../lib/audit/assembly-diff';
import { AssemblyNotFoundError, loadCloudAssembly } from '../lib/audit/cloud-assembly';

/**
 * npm run audit:diff -- --baseline DIR [--assembly cdk.out] [--out reports/audit]
 * Exit code 1 when something needs sign-off, 0 when nothing does, 2 on bad input.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const baselineDir = arg('baseline');
if (!baselineDir) {
  console.error('usage: npm run audit:diff -- --baseline DIR [--assembly cdk.out] [--out reports/audit]\n  DIR is an approved earlier cloud assembly (a copy of cdk.out).');
  process.exit(2);
}
try {
  const baseline = loadCloudAssembly(baselineDir);
  const current = loadCloudAssembly(arg('assembly') ?? 'cdk.out');
  const findings = diffAssemblies(baseline, current);
  const markdown = renderDiffMarkdown(findings);
  const out = arg('out') ?? path.join('reports', 'audit');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'change-review.md'), markdown);
  writeFileSync(path.join(out, 'change-review.json'), `${JSON.stringify(findings, null, 2)}\n`);
  console.log(markdown);
  process.exit(findings.length > 0 ? 1 : 0);
} catch (error) {
  if (error instanceof AssemblyNotFoundError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
