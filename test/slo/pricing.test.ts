import { instancePrice, missingPriceReason, PRICING, pricedRegions } from '../../lib/audit/instance-prices';
import { configuredVariants, modelSlo, stageConsumers } from '../../lib/config/slo-config';
import { instanceHours, perThousand } from '../../lib/monitoring/cost-math';
import { dashboardCost } from '../../lib/platform/config-mapping';
import { referenceConfig } from '../helpers/fixtures';

describe('the price table', () => {
  test('every region names its source and date; every price is positive and says whether it is confirmed', () => {
    expect(pricedRegions()).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    for (const region of pricedRegions()) {
      const table = (PRICING.sagemakerRealTimeInstanceHourly as Record<string, { source: string; retrieved: string; prices: Record<string, { usd: number; confirmed: boolean }> }>)[region];
      expect(table.source).toMatch(/https:\/\/aws\.amazon\.com\/sagemaker\/ai\/pricing\//);
      expect(table.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const price of Object.values(table.prices)) {
        expect(price.usd).toBeGreaterThan(0);
        expect(typeof price.confirmed).toBe('boolean');
      }
    }
  });

  test('a price is the region\'s or none: never another region\'s', () => {
    expect(instancePrice('ml.g5.xlarge', 'us-east-1')).toMatchObject({ usdPerHour: 1.408, confirmed: true, region: 'us-east-1', regionAssumed: false });
    expect(instancePrice('ml.g5.xlarge', 'us-west-2')).toMatchObject({ usdPerHour: 1.408, confirmed: false, source: expect.stringMatching(/^not confirmed: assumed equal to the us-east-1/) });
    expect(instancePrice('ml.g5.xlarge', 'eu-west-1')).toBeUndefined();
    expect(missingPriceReason('ml.g5.xlarge', 'eu-west-1')).toBe('no prices for region eu-west-1 in lib/audit/pricing.json (priced: us-east-1, us-east-2, us-west-2)');
    expect(missingPriceReason('ml.g7e.2xlarge', 'us-east-1')).toBe('no price for ml.g7e.2xlarge in us-east-1 in lib/audit/pricing.json');
    // An environment-agnostic stage: the default region, and it says so.
    expect(instancePrice('ml.g5.xlarge', undefined)).toMatchObject({ region: 'us-east-1', regionAssumed: true });
  });
});

describe('config → SLO and fleet', () => {
  const config = referenceConfig();

  test('the latency threshold defaults to the model\'s latency budget', () => {
    expect(modelSlo(config, 'prod', 'chat')).toEqual({
      windowDays: 30, objectives: [{ kind: 'availability', targetPercent: 99.5 }, { kind: 'latency', targetPercent: 95, thresholdMs: 20000 }],
    });
    expect(modelSlo(config, 'prod', 'embed')!.objectives[1]).toEqual({ kind: 'latency', targetPercent: 99, thresholdMs: 500 });
  });

  test('the floor of a fleet: minimum capacity, 0 for scale to zero', () => {
    expect(configuredVariants(config, 'prod', 'chat').map((v) => [v.variantName, v.instanceType, v.floorInstances])).toEqual([['AllTraffic', 'ml.g6e.12xlarge', 2]]);
    expect(configuredVariants(config, 'staging', 'embed')[0].floorInstances).toBe(0);
    expect(stageConsumers(config, 'prod')).toEqual(['search-team', 'support-bot']);
  });

  test('instance-hours: the estimate where there was traffic, the floor where there was none', () => {
    const observed = new Map([[0, { invocations: 300, invocationsPerInstance: 100 }], [3600, { invocations: 10 }]]);
    // Hour 0: 3 instances; hour 3600: half a pair of metrics is no estimate → floor 2; hour 7200: floor 2.
    expect(instanceHours(observed, [0, 3600, 7200], 2, 1)).toBe(7);
    expect(perThousand(10, 4000)).toBeCloseTo(2.5, 12);
    expect(perThousand(10, 0)).toBeUndefined();
  });

  test('the dashboards get a price note, or the reason there is no price instead of a number', () => {
    expect(dashboardCost(config, 'prod', 'chat')).toEqual({
      missingPrices: [],
      cost: {
        variants: [{ variantName: 'AllTraffic', usdPerHour: 13.1222, floorInstances: 2 }],
        consumers: ['search-team', 'support-bot'],
        priceNote: 'us-east-1 on-demand list prices, ml.g6e.12xlarge $13.1222/h (unconfirmed), retrieved 2026-11-21 (lib/audit/pricing.json)',
      },
    });
    const ireland = { ...config, stages: { ...config.stages, prod: { ...config.stages.prod, region: 'eu-west-1' } } };
    expect(dashboardCost(ireland, 'prod', 'chat')).toEqual({
      missingPrices: ['no prices for region eu-west-1 in lib/audit/pricing.json (priced: us-east-1, us-east-2, us-west-2)'],
    });
  });
});
