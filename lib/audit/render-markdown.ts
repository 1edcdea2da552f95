import type { StageReport } from './report-model';
import { Cell, reportSections } from './report-sections';

function cell(x: Cell): string {
  const text = x.text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return x.flag ? `**⚠ ${text}**` : text;
}

/** The stage report as Markdown. The diagram is referenced as `<stage>-architecture.svg`, written beside it. */
export function renderMarkdown(r: StageReport): string {
  const out: string[] = [`# Audit report: ${r.stackName} (stage ${r.stage})`, '', 'Generated from the synthesized cloud assembly, not the source. ⚠ marks what needs an auditor\'s attention.', ''];
  for (const s of reportSections(r)) {
    out.push(`## ${s.title}`, '');
    for (const line of s.summary.filter(Boolean)) out.push(line, '');
    if (s.svg) out.push(`![Architecture of ${r.stackName}](${r.stage}-architecture.svg)`, '');
    for (const t of s.tables) {
      if (t.caption) out.push(`### ${t.caption}`, '');
      out.push(`| ${t.headers.join(' | ')} |`, `|${t.headers.map(() => '---').join('|')}|`);
      for (const row of t.rows) out.push(`| ${row.map(cell).join(' | ')} |`);
      out.push('');
    }
  }
  return out.join('\n');
}
