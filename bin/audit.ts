import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AssemblyNotFoundError, loadCloudAssembly } from '../lib/audit/cloud-assembly';
import { DEFAULT_COST_ASSUMPTIONS } from '../lib/audit/cost-estimate';
import { buildAuditReport } from '../lib/audit/report-model';
import { renderHtml } from '../lib/audit/render-html';
import { renderMarkdown } from '../lib/audit/render-markdown';

/** npm run audit -- [--assembly cdk.out] [--out reports/audit] [--requests-per-month N] */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

try {
  const assembly = loadCloudAssembly(arg('assembly', 'cdk.out'));
  const out = arg('out', path.join('reports', 'audit'));
  mkdirSync(out, { recursive: true });
  const reports = buildAuditReport(assembly, { ...DEFAULT_COST_ASSUMPTIONS, requestsPerMonth: Number(arg('requests-per-month', String(DEFAULT_COST_ASSUMPTIONS.requestsPerMonth))) });
  for (const r of reports) {
    writeFileSync(path.join(out, `${r.stage}.md`), renderMarkdown(r));
    writeFileSync(path.join(out, `${r.stage}-architecture.svg`), r.diagramSvg);
    writeFileSync(path.join(out, `${r.stage}.html`), renderHtml(r));
    console.log(`${r.stage}: ${path.join(out, `${r.stage}.md`)}, ${path.join(out, `${r.stage}.html`)} — ${r.iam.length} IAM statements, ${r.alarms.length} alarms, ${r.compliance.acknowledgements.length} acknowledgements, ` +
      `${r.delivery.filter((e) => e.status !== 'blocked').length}/${r.delivery.length} delivery paths allowed, $${Math.round(r.cost.minUsd)}–$${Math.round(r.cost.maxUsd)}/month`);
  }
} catch (error) {
  if (error instanceof AssemblyNotFoundError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
