import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { Results } from './report-figures';

/** GetMetricData takes at most 500 queries per call (CloudWatch API Reference, GetMetricData: MetricDataQueries, 500 items). */
export const MAX_QUERIES_PER_CALL = 500;

/**
 * Every data point of `queries` over [start, end), following NextToken: CloudWatch splits a large
 * answer over pages, one id's points possibly over several, so points are merged per id.
 */
export async function fetchMetricData(client: CloudWatchClient, queries: readonly MetricDataQuery[], start: number, end: number): Promise<Results> {
  const results = new Map<string, Map<number, number>>();
  for (const q of queries) results.set(q.Id!, new Map());
  for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(new GetMetricDataCommand({
        MetricDataQueries: queries.slice(i, i + MAX_QUERIES_PER_CALL),
        StartTime: new Date(start * 1000),
        EndTime: new Date(end * 1000),
        ScanBy: 'TimestampAscending',
        NextToken: nextToken,
      }));
      for (const r of page.MetricDataResults ?? []) {
        const points = results.get(r.Id ?? '');
        if (!points) continue;
        const timestamps = r.Timestamps ?? [];
        const values = r.Values ?? [];
        for (let k = 0; k < Math.min(timestamps.length, values.length); k++) points.set(Math.round(timestamps[k].getTime() / 1000), values[k]);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return results;
}
