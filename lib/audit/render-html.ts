import type { StageReport } from './report-model';
import { Cell, reportSections } from './report-sections';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;background:#fafbfc}
header{background:#1f2a44;color:#fff;padding:16px 28px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}
nav{padding:8px 28px;background:#e9edf5;font-size:14px}nav a{margin-right:14px;color:#1f2a44}
main{padding:8px 28px 40px}section{background:#fff;border:1px solid #dde2ea;border-radius:6px;margin:18px 0;padding:6px 18px 14px}
h2{font-size:18px;border-bottom:1px solid #e3e7ee;padding-bottom:6px}h3{font-size:15px}
table{border-collapse:collapse;width:100%;font-size:12px;margin:8px 0}th,td{border:1px solid #dde2ea;padding:4px 6px;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f0f3f8;position:sticky;top:0}tr:nth-child(even) td{background:#fbfcfe}
td.flag{background:#fff1e6 !important;color:#8a3b00;font-weight:600}td.flag::before{content:"⚠ "}
.diagram{overflow-x:auto;border:1px solid #e3e7ee;border-radius:4px;padding:6px;background:#fff}
`;

function td(x: Cell): string {
  return `<td${x.flag ? ' class="flag"' : ''}>${esc(x.text)}</td>`;
}

/** The stage report as one self-contained HTML page: inline CSS and SVG, no scripts, no external fetches. */
export function renderHtml(r: StageReport): string {
  const sections = reportSections(r);
  const body = sections.map((s) => [
    `<section id="${s.id}"><h2>${esc(s.title)}</h2>`,
    ...s.summary.filter(Boolean).map((p) => `<p>${esc(p)}</p>`),
    s.svg ? `<div class="diagram">${s.svg}</div>` : '',
    ...s.tables.map((t) => [
      t.caption ? `<h3>${esc(t.caption)}</h3>` : '',
      `<table><thead><tr>${t.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>`,
      ...t.rows.map((row) => `<tr>${row.map(td).join('')}</tr>`),
      '</tbody></table>',
    ].join('\n')),
    '</section>',
  ].join('\n')).join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
    `<title>Audit report: ${esc(r.stackName)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>Audit report: ${esc(r.stackName)} (stage ${esc(r.stage)})</h1><p>Generated from the synthesized cloud assembly. ⚠ marks what needs an auditor's attention.</p></header>`,
    `<nav>${sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('')}</nav>`,
    `<main>${body}</main></body></html>`,
  ].join('\n');
}
