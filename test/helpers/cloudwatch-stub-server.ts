import { awsError, ok, startJsonStubServer, type JsonStubServer } from './aws-json-stub-server';

/**
 * A local CloudWatch for the real `@aws-sdk/client-cloudwatch`: the SDK version in use speaks
 * AWS JSON 1.0 to CloudWatch (`AwsJson1_0Protocol` in its client config; `X-Amz-Target:
 * GraniteServiceVersion20100801.GetMetricData`, timestamps as epoch seconds), not awsQuery.
 * GetMetricData answers from recorded data points per metric, dimensions, statistic and period,
 * within [StartTime, EndTime), `pageSize` query results per page with a NextToken.
 */
export interface RecordedMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  readonly period: number;
  /** [epoch seconds, value] */
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface CloudWatchStub {
  readonly url: string;
  readonly server: JsonStubServer;
  record(...metrics: RecordedMetric[]): void;
  /** Every GetMetricData request body. */
  requests(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

interface WireQuery {
  Id: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] }; Period: number; Stat: string };
}

const keyOf = (namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, stat: string, period: number) =>
  JSON.stringify([namespace, metricName, Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)), stat, period]);

export async function startCloudWatchStub(options: { pageSize?: number } = {}): Promise<CloudWatchStub> {
  const server = await startJsonStubServer();
  const recorded = new Map<string, RecordedMetric>();
  const pageSize = options.pageSize ?? 500;
  server.on('GetMetricData', (input) => {
    const { MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken: token } = input as {
      MetricDataQueries: WireQuery[]; StartTime: unknown; EndTime: unknown; NextToken?: string;
    };
    // The JSON protocols send timestamps as epoch seconds (numbers); anything else is a wire-format bug.
    if (typeof start !== 'number' || typeof end !== 'number') return awsError('InvalidParameterValue', `StartTime and EndTime must be epoch seconds, got ${JSON.stringify([start, end])}`);
    const from = token === undefined ? 0 : Number(token);
    const page = queries.slice(from, from + pageSize);
    const results = page.map((q) => {
      if (!q.MetricStat) return { Id: q.Id, Timestamps: [], Values: [], StatusCode: 'Complete' };
      const m = q.MetricStat.Metric;
      const dims = Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      const found = recorded.get(keyOf(m.Namespace, m.MetricName, dims, q.MetricStat.Stat, q.MetricStat.Period));
      const points = (found?.points ?? []).filter(([t]) => t >= start && t < end);
      return { Id: q.Id, Label: m.MetricName, Timestamps: points.map(([t]) => t), Values: points.map(([, v]) => v), StatusCode: 'Complete' };
    });
    const next = from + pageSize < queries.length ? String(from + pageSize) : undefined;
    return ok({ MetricDataResults: results, Messages: [], ...(next ? { NextToken: next } : {}) });
  });
  return {
    url: server.url,
    server,
    record: (...metrics) => {
      for (const m of metrics) recorded.set(keyOf(m.namespace, m.metricName, m.dimensions, m.stat, m.period), m);
    },
    requests: () => server.callsOf('GetMetricData'),
    close: () => server.close(),
  };
}
