import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AssemblyNotFoundError, loadCloudAssembly } from '../lib/audit/cloud-assembly';
import { DEFAULT_COST_ASSUMPTIONS } from '../lib/audit/cost-estimate';
import { buildAuditReport } from '../lib/audit/report-model';
import { renderHtml } from '../lib/audit/render-html';
import { renderMarkdown } from '../lib/audit/render-markdown';
import { failingWith, numberFlag, runCli } from './cli-args';

const USAGE = `usage: npm run audit -- [--assembly DIR] [--out DIR] [--requests-per-month N] [--tokens-per-request N]
  --assembly            the cloud assembly to report on (default cdk.out; run npm run synth first)
  --out                 where the reports go (default reports/audit): <stage>.md, <stage>.html, <stage>-architecture.svg
  --requests-per-month  gateway traffic assumed by the cost estimate (default ${DEFAULT_COST_ASSUMPTIONS.requestsPerMonth})
  --tokens-per-request  prompt + completion tokens per request, for the cost per 1K tokens (default ${DEFAULT_COST_ASSUMPTIONS.tokensPerRequest})
  --help                this text
exit: 0 reports written, 2 bad usage or no cloud assembly`;

runCli({
  name: 'audit',
  usage: USAGE,
  options: { assembly: { type: 'string', default: 'cdk.out' }, out: { type: 'string', default: path.join('reports', 'audit') }, 'requests-per-month': { type: 'string' }, 'tokens-per-request': { type: 'string' } },
}, (flags) => {
  const requestsPerMonth = flags['requests-per-month'] === undefined
    ? DEFAULT_COST_ASSUMPTIONS.requestsPerMonth : numberFlag('--requests-per-month', flags['requests-per-month'], { min: 0 });
  const tokensPerRequest = flags['tokens-per-request'] === undefined
    ? DEFAULT_COST_ASSUMPTIONS.tokensPerRequest : numberFlag('--tokens-per-request', flags['tokens-per-request'], { min: 1 });
  const assembly = failingWith([AssemblyNotFoundError], () => loadCloudAssembly(flags.assembly));
  mkdirSync(flags.out, { recursive: true });
  for (const r of buildAuditReport(assembly, { ...DEFAULT_COST_ASSUMPTIONS, requestsPerMonth, tokensPerRequest })) {
    writeFileSync(path.join(flags.out, `${r.stage}.md`), renderMarkdown(r));
    writeFileSync(path.join(flags.out, `${r.stage}-architecture.svg`), r.diagramSvg);
    writeFileSync(path.join(flags.out, `${r.stage}.html`), renderHtml(r));
    console.log(`${r.stage}: ${path.join(flags.out, `${r.stage}.md`)}, ${path.join(flags.out, `${r.stage}.html`)} — ${r.iam.length} IAM statements, ` +
      `${r.alarms.length} alarms, ${r.compliance.acknowledgements.length} acknowledgements, ` +
      `${r.delivery.filter((e) => e.status !== 'blocked').length}/${r.delivery.length} delivery paths allowed, $${Math.round(r.cost.minUsd)}–$${Math.round(r.cost.maxUsd)}/month`);
  }
});
