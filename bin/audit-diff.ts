import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { diffAssemblies, renderDiffMarkdown } from '../lib/audit/assembly-diff';
import { AssemblyNotFoundError, loadCloudAssembly } from '../lib/audit/cloud-assembly';
import { failingWith, runCli, UsageError } from './cli-args';

const USAGE = `usage: npm run audit:diff -- --baseline DIR [--assembly DIR] [--out DIR]
  --baseline  an approved earlier cloud assembly (a copy of cdk.out)
  --assembly  the cloud assembly to review (default cdk.out)
  --out       where change-review.md and change-review.json go (default reports/audit)
  --help      this text
exit: 0 nothing needs sign-off, 1 changes need sign-off, 2 bad usage or a missing assembly`;

runCli({
  name: 'audit:diff',
  usage: USAGE,
  options: { baseline: { type: 'string' }, assembly: { type: 'string', default: 'cdk.out' }, out: { type: 'string', default: path.join('reports', 'audit') } },
}, (flags) => {
  if (flags.baseline === undefined) throw new UsageError('--baseline is required');
  const baseline = failingWith([AssemblyNotFoundError], () => loadCloudAssembly(flags.baseline!));
  const current = failingWith([AssemblyNotFoundError], () => loadCloudAssembly(flags.assembly));
  const findings = diffAssemblies(baseline, current);
  const markdown = renderDiffMarkdown(findings);
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(path.join(flags.out, 'change-review.md'), markdown);
  writeFileSync(path.join(flags.out, 'change-review.json'), `${JSON.stringify(findings, null, 2)}\n`);
  console.log(markdown);
  return findings.length > 0 ? 1 : 0;
});
