import type { StackArtifact } from './cloud-assembly';
import { resourcesOfType, render } from './template-values';
import { variantCapacities } from './cost-estimate';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Box { readonly title: string; readonly lines: string[] }

/** The stage's architecture as a self-contained SVG: entry points → compute → models → data, with alarms below. */
export function architectureSvg(stack: StackArtifact): string {
  const t = stack.template;
  const apis = resourcesOfType(t, 'AWS::ApiGateway::RestApi').map(([id, r]): Box => ({
    title: `API Gateway ${id}`,
    lines: [`${((r.Properties?.EndpointConfiguration?.Types ?? ['EDGE']) as string[]).join(',')} REST API`, ...resourcesOfType(t, 'AWS::ApiGateway::Method').map(([, m]) => `${m.Properties?.HttpMethod} auth ${m.Properties?.AuthorizationType ?? 'NONE'}`)],
  }));
  const functions = resourcesOfType(t, 'AWS::Lambda::Function').map(([id, r]): Box => ({ title: `λ ${id}`, lines: [String(r.Properties?.Description ?? r.Properties?.Runtime ?? '')] }));
  const caps = variantCapacities(stack);
  const endpoints = resourcesOfType(t, 'AWS::SageMaker::Endpoint').map(([id, r]): Box => {
    const name = render(r.Properties?.EndpointName) || id;
    const strategy = r.Properties?.DeploymentConfig?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type
      ?? (r.Properties?.DeploymentConfig?.RollingUpdatePolicy ? 'ROLLING' : 'components');
    const rollback = (r.Properties?.DeploymentConfig?.AutoRollbackConfiguration?.Alarms ?? []).length;
    return { title: `SageMaker ${name}`, lines: [...caps.filter((c) => c.endpoint === name).map((c) => `${c.variant}: ${c.instanceType} ×${c.min}–${c.max}`), `deploy ${strategy}, ${rollback} rollback alarms`] };
  });
  const stores = [
    ...resourcesOfType(t, 'AWS::S3::Bucket').map(([id, r]): Box => ({ title: `S3 ${id}`, lines: [String(r.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm ?? 'default'), r.Properties?.ObjectLockEnabled ? 'Object Lock' : ''] })),
  ];
  const alarms = resourcesOfType(t, 'AWS::CloudWatch::Alarm').length;
  const sinks: Box[] = [
    { title: `CloudWatch: ${alarms} alarms`, lines: ['rollback, scaling,', 'notification, drift'] },
    ...resourcesOfType(t, 'AWS::SNS::Topic').map(([id]): Box => ({ title: `SNS ${id}`, lines: ['notifications (KMS)'] })),
    ...resourcesOfType(t, 'AWS::Events::EventBus').map(([id, r]): Box => ({ title: `EventBridge ${id}`, lines: [String(r.Properties?.Name ?? ''), 'ModelDriftDetected → retraining'] })),
  ];
  const columns: Array<{ heading: string; boxes: Box[] }> = [
    { heading: 'Clients', boxes: [{ title: 'Callers (IAM principals)', lines: ['SigV4-signed', 'team API keys'] }] },
    { heading: 'Entry points', boxes: apis },
    { heading: 'Functions', boxes: functions },
    { heading: 'Models', boxes: endpoints },
    { heading: 'Data stores', boxes: stores },
  ].filter((c) => c.boxes.length > 0);
  const colW = 230; const gap = 40; const boxH = 64; const boxGap = 14; const top = 40;
  const height = Math.max(...columns.map((c) => c.boxes.length)) * (boxH + boxGap) + top + 40 + boxH + 40;
  const width = columns.length * (colW + gap) + gap;
  const parts: string[] = [];
  const boxSvg = (x: number, y: number, b: Box, fill: string) => {
    parts.push(`<rect x="${x}" y="${y}" width="${colW}" height="${boxH}" rx="6" fill="${fill}" stroke="#445"/>`);
    parts.push(`<text x="${x + 8}" y="${y + 18}" font-size="12" font-weight="bold">${esc(b.title.slice(0, 34))}</text>`);
    b.lines.filter(Boolean).slice(0, 3).forEach((l, i) => parts.push(`<text x="${x + 8}" y="${y + 34 + i * 13}" font-size="11">${esc(l.slice(0, 38))}</text>`));
  };
  const fills = ['#eef5ff', '#fff4e0', '#f1ecff', '#e8f7ec', '#fdeeee'];
  columns.forEach((col, ci) => {
    const x = gap + ci * (colW + gap);
    parts.push(`<text x="${x}" y="24" font-size="13" font-weight="bold" fill="#223">${esc(col.heading)}</text>`);
    col.boxes.forEach((b, bi) => boxSvg(x, top + bi * (boxH + boxGap), b, fills[ci % fills.length]));
    if (ci > 0) {
      const midY = top + boxH / 2;
      parts.push(`<line x1="${x - gap + 2}" y1="${midY}" x2="${x - 4}" y2="${midY}" stroke="#334" stroke-width="1.5" marker-end="url(#arrow)"/>`);
    }
  });
  const sinkY = height - boxH - 30;
  parts.push(`<text x="${gap}" y="${sinkY - 8}" font-size="13" font-weight="bold" fill="#223">Monitoring and events</text>`);
  sinks.forEach((b, i) => boxSvg(gap + i * (colW + gap), sinkY, b, '#f4f4f4'));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Architecture of ${esc(stack.stackName)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#334"/></marker></defs>',
    `<title>Architecture of ${esc(stack.stackName)}</title>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
