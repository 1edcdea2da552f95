import { AlarmSpec, MissingDataTreatment } from '../../lib/rollout/rollback-alarm-spec';
import { AlarmState, breaches, evaluateAlarm, statisticOf } from '../../lib/rollout/simulation/alarm-evaluation';

const X = 1; // a breaching datapoint (threshold 0.5, GreaterThanThreshold)
const O = 0; // a good datapoint
const _ = undefined; // no data in that period

function spec(treatMissingData: MissingDataTreatment, overrides: Partial<AlarmSpec> = {}): AlarmSpec {
  return {
    id: 'Test', description: 'test', namespace: 'AWS/SageMaker', metricName: 'Invocation5XXErrors', statistic: 'Average',
    periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 2, threshold: 0.5, comparison: 'GreaterThanThreshold', treatMissingData,
    ...overrides,
  };
}

describe('statisticOf', () => {
  const oneToHundred = Array.from({ length: 100 }, (_v, i) => i + 1);

  test('percentiles by nearest rank', () => {
    expect(statisticOf('p99', oneToHundred)).toBe(99);
    expect(statisticOf('p50', oneToHundred)).toBe(50);
    expect(statisticOf('p50', [4, 1, 3, 2])).toBe(2);
    expect(statisticOf('p99.9', oneToHundred)).toBe(100);
    expect(statisticOf('p100', [3, 9, 1])).toBe(9);
    expect(statisticOf('p0', [3, 9, 1])).toBe(1);
    // Few samples: p99 of 10 requests is the slowest one.
    expect(statisticOf('p99', [5, 1, 2, 3, 4, 6, 7, 8, 9, 10])).toBe(10);
    // Order of the input does not matter, and it is not mutated.
    const values = [30, 10, 20];
    expect(statisticOf('p50', values)).toBe(20);
    expect(values).toEqual([30, 10, 20]);
  });

  test('Average is the error rate of 1/0 samples; Sum, Maximum, Minimum, SampleCount', () => {
    expect(statisticOf('Average', [1, 0, 0, 0])).toBe(0.25);
    expect(statisticOf('Sum', [1, 0, 1, 1])).toBe(3);
    expect(statisticOf('Maximum', [2, 7, 3])).toBe(7);
    expect(statisticOf('Minimum', [2, 7, 3])).toBe(2);
    expect(statisticOf('SampleCount', [2, 7, 3])).toBe(3);
  });

  test('a period without samples has no datapoint', () => {
    for (const s of ['p99', 'Average', 'Sum', 'Maximum']) expect(statisticOf(s, [])).toBeUndefined();
  });

  test('an unknown statistic is refused with the ones simulated', () => {
    expect(() => statisticOf('tm99', [1])).toThrow(/statistic "tm99" is not simulated: use Sum, Average, Maximum, Minimum, SampleCount or pNN/);
  });
});

describe('breaches', () => {
  test('each comparison against the threshold, at and around it', () => {
    const at = (comparison: AlarmSpec['comparison']) => [0.4, 0.5, 0.6].map((v) => breaches(spec('notBreaching', { comparison }), v));
    expect(at('GreaterThanThreshold')).toEqual([false, false, true]);
    expect(at('GreaterThanOrEqualToThreshold')).toEqual([false, true, true]);
    expect(at('LessThanThreshold')).toEqual([true, false, false]);
    expect(at('LessThanOrEqualToThreshold')).toEqual([true, true, false]);
  });
});

describe('evaluateAlarm: 2 of 3 datapoints', () => {
  const evaluate = (treat: MissingDataTreatment, points: (number | undefined)[], previous: AlarmState = 'OK') =>
    evaluateAlarm(spec(treat), points, previous);

  test('with full data, any 2 breaching of the last 3 alarm, 1 does not', () => {
    for (const treat of ['notBreaching', 'breaching', 'ignore', 'missing'] as const) {
      expect(evaluate(treat, [X, O, X])).toBe('ALARM');
      expect(evaluate(treat, [O, X, X])).toBe('ALARM');
      expect(evaluate(treat, [X, O, O])).toBe('OK');
      expect(evaluate(treat, [O, O, O], 'ALARM')).toBe('OK');
    }
  });

  test('only the last evaluationPeriods datapoints count', () => {
    expect(evaluate('notBreaching', [X, X, O, O, X])).toBe('OK');
    expect(evaluate('notBreaching', [O, O, O, X, X])).toBe('ALARM');
  });

  test('notBreaching: missing periods are good', () => {
    expect(evaluate('notBreaching', [_, _, X])).toBe('OK');
    expect(evaluate('notBreaching', [X, _, X])).toBe('ALARM');
    expect(evaluate('notBreaching', [_, _, _], 'ALARM')).toBe('OK');
  });

  test('breaching: missing periods are bad', () => {
    expect(evaluate('breaching', [_, O, X])).toBe('ALARM');
    expect(evaluate('breaching', [_, O, O])).toBe('OK');
    expect(evaluate('breaching', [_, _, _])).toBe('ALARM');
  });

  test('ignore: missing periods are left out; with no data at all the state is kept', () => {
    expect(evaluate('ignore', [_, _, _], 'ALARM')).toBe('ALARM');
    expect(evaluate('ignore', [_, _, _], 'OK')).toBe('OK');
    // The present datapoints decide: all of them breaching alarms.
    expect(evaluate('ignore', [_, _, X])).toBe('ALARM');
    expect(evaluate('ignore', [_, O, X])).toBe('OK');
  });

  test('missing: missing periods are left out; with no data at all the alarm has INSUFFICIENT_DATA', () => {
    expect(evaluate('missing', [_, _, _], 'ALARM')).toBe('INSUFFICIENT_DATA');
    expect(evaluate('missing', [_, X, X])).toBe('ALARM');
    expect(evaluate('missing', [X, _, O])).toBe('OK');
  });

  test('1 of 1: a single breaching minute alarms at once', () => {
    const oneOfOne = spec('notBreaching', { evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(evaluateAlarm(oneOfOne, [O, X], 'OK')).toBe('ALARM');
    expect(evaluateAlarm(oneOfOne, [X, O], 'ALARM')).toBe('OK');
  });
});
