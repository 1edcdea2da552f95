import type { Json, StackArtifact } from './cloud-assembly';
import { asList, referencedId, referencedIds, render, resourcesOfType } from './template-values';

export type AlarmTrigger = 'rollback' | 'scaling' | 'notification' | 'retraining';

/** One alarm, what it watches and what it triggers. */
export interface AlarmRow {
  readonly logicalId: string;
  readonly name: string;
  readonly metric: string;
  /** e.g. `> 20000 (p99, 60 s × 2 of 3)`. */
  readonly condition: string;
  readonly threshold?: number;
  readonly comparison?: string;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly period?: number;
  readonly triggers: AlarmTrigger[];
  /** What each trigger points at, e.g. `rollback of ChatEndpoint`. */
  readonly targets: string[];
  readonly description: string;
}

function metricText(p: Json): string {
  if (p.MetricName) {
    const dims = asList<Json>(p.Dimensions).map((d) => `${d.Name}=${render(d.Value)}`).join(', ');
    return `${p.Namespace}/${p.MetricName}${dims ? ` {${dims}}` : ''}`;
  }
  const metrics = asList<Json>(p.Metrics);
  const ret = metrics.find((m) => m.ReturnData !== false) ?? metrics[0];
  if (ret?.Expression) {
    const inputs = metrics.filter((m) => m.MetricStat).map((m) => `${m.Id}=${m.MetricStat.Metric.Namespace}/${m.MetricStat.Metric.MetricName}`);
    return `${ret.Expression}${inputs.length ? ` where ${inputs.join(', ')}` : ''}`;
  }
  if (ret?.MetricStat) return `${ret.MetricStat.Metric.Namespace}/${ret.MetricStat.Metric.MetricName}`;
  return '(metric math)';
}

const COMPARISON: Record<string, string> = {
  GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '≥', LessThanThreshold: '<', LessThanOrEqualToThreshold: '≤',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside band', GreaterThanUpperThreshold: 'above band', LessThanLowerThreshold: 'below band',
};

/** Every alarm of a stack, classified by what references it. */
export function analyseAlarms(stack: StackArtifact): AlarmRow[] {
  const t = stack.template;
  const triggers = new Map<string, { kinds: Set<AlarmTrigger>; targets: string[] }>();
  const add = (alarm: string | undefined, kind: AlarmTrigger, target: string) => {
    if (!alarm || t.Resources[alarm]?.Type !== 'AWS::CloudWatch::Alarm') return;
    const entry = triggers.get(alarm) ?? { kinds: new Set<AlarmTrigger>(), targets: [] };
    entry.kinds.add(kind);
    if (!entry.targets.includes(target)) entry.targets.push(target);
    triggers.set(alarm, entry);
  };
  for (const [id, r] of resourcesOfType(t, 'AWS::SageMaker::Endpoint', 'AWS::SageMaker::InferenceComponent')) {
    for (const a of asList<Json>(r.Properties?.DeploymentConfig?.AutoRollbackConfiguration?.Alarms)) {
      add(referencedId(a.AlarmName), 'rollback', `automatic rollback of ${render(r.Properties?.EndpointName ?? r.Properties?.InferenceComponentName) || id}`);
    }
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::CloudWatch::Alarm')) {
    for (const action of [...asList<Json>(r.Properties?.AlarmActions)]) {
      // A Ref, or an ARN built around one (a topic of another stack, named by its output).
      const target = referencedId(action) ?? [...referencedIds(action)].find((ref) => t.Resources[ref]);
      const type = target ? t.Resources[target]?.Type : undefined;
      if (type === 'AWS::ApplicationAutoScaling::ScalingPolicy' || type === 'AWS::AutoScaling::ScalingPolicy') add(id, 'scaling', `scaling policy ${target}`);
      else if (type === 'AWS::SNS::Topic') add(id, 'notification', `SNS topic ${target}`);
      else add(id, 'notification', `action ${render(action)}`);
    }
  }
  // An alarm that notifies through a composite alarm (a burn-rate window of an SLO page): the
  // composite's actions are its notification, if the composite has any.
  for (const [id, r] of resourcesOfType(t, 'AWS::CloudWatch::CompositeAlarm')) {
    const actions = asList<Json>(r.Properties?.AlarmActions);
    if (actions.length === 0) continue;
    const via = actions.map((action) => {
      const target = referencedId(action) ?? [...referencedIds(action)].find((ref) => t.Resources[ref]);
      return t.Resources[target ?? '']?.Type === 'AWS::SNS::Topic' ? `SNS topic ${target}` : `action ${render(action)}`;
    }).join(', ');
    for (const alarm of referencedIds(r.Properties?.AlarmRule)) add(alarm, 'notification', `composite alarm ${render(r.Properties?.AlarmName) || id} → ${via}`);
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::Events::Rule')) {
    const alarms = [...referencedIds(r.Properties?.EventPattern?.resources)];
    if (alarms.length === 0) continue;
    const targets = asList<Json>(r.Properties?.Targets).map((x) => referencedId(x.Arn) ?? render(x.Arn));
    for (const a of alarms) add(a, 'retraining', `drift event via rule ${id} → ${targets.join(', ')} (ModelDriftDetected; retraining trigger)`);
  }
  return resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([id, r]) => {
    const p = r.Properties ?? {};
    const entry = triggers.get(id);
    const stat = p.ExtendedStatistic ?? p.Statistic ?? '';
    const thresholdText = p.ThresholdMetricId ? `anomaly band ${p.ThresholdMetricId}` : String(p.Threshold);
    return {
      logicalId: id,
      name: render(p.AlarmName) || id,
      metric: metricText(p),
      condition: `${COMPARISON[p.ComparisonOperator] ?? p.ComparisonOperator} ${thresholdText}${stat ? ` (${stat}` : ' ('}${p.Period ? `${stat ? ', ' : ''}${p.Period} s` : ''} × ${p.DatapointsToAlarm ?? p.EvaluationPeriods} of ${p.EvaluationPeriods}; missing data: ${p.TreatMissingData ?? 'missing'})`,
      ...(typeof p.Threshold === 'number' ? { threshold: p.Threshold } : {}),
      comparison: p.ComparisonOperator,
      evaluationPeriods: p.EvaluationPeriods,
      datapointsToAlarm: p.DatapointsToAlarm ?? p.EvaluationPeriods,
      period: p.Period ?? asList<Json>(p.Metrics).find((m) => m.MetricStat)?.MetricStat?.Period,
      triggers: entry ? [...entry.kinds].sort() : [],
      targets: entry?.targets ?? [],
      description: p.AlarmDescription ?? '',
    };
  });
}
