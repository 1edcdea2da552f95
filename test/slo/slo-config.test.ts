import { parsePlatformConfig } from '../../lib/config/load-config';
import { Json, errorMessage, referenceConfigJson } from '../helpers/fixtures';

/** SLO mistakes are answered with the config path, the value and the fix. */
const SOURCE = 'config/platform.json';

function messageFor(edit: (config: Record<string, Json>) => void): string {
  const config = referenceConfigJson();
  edit(config);
  return errorMessage(() => parsePlatformConfig(JSON.stringify(config, null, 2), SOURCE));
}

type Stages = Record<string, { models: Record<string, { slo?: Json }>; gateway?: Json }>;
const chatSlo = (c: Record<string, Json>, slo: Json) => { (c.stages as unknown as Stages).prod.models.chat.slo = slo; };

describe('SLOs in the platform config', () => {
  test('the reference config gives every model of every stage an SLO', () => {
    const config = parsePlatformConfig(JSON.stringify(referenceConfigJson()), SOURCE);
    for (const [stageName, stage] of Object.entries(config.stages)) {
      for (const [model, deployment] of Object.entries(stage.models)) {
        expect([stageName, model, deployment.slo?.windowDays]).toEqual([stageName, model, expect.any(Number)]);
      }
    }
  });

  test('a target too low for a 14.4× burn alarm names the field, the value and the bound', () => {
    const message = messageFor((c) => chatSlo(c, { windowDays: 30, availability: { targetPercent: 90 } }));
    expect(message).toContain('stages.prod.models.chat.slo.availability.targetPercent: 90 must be at least 93.1 (%)');
    expect(message).toContain('14.4× fast-burn alarm');
  });

  test('the window is 28 or 30 days', () => {
    const message = messageFor((c) => chatSlo(c, { windowDays: 7, latency: { targetPercent: 95 } }));
    expect(message).toContain('stages.prod.models.chat.slo.windowDays: 7 must be 28 or 30 (days)');
  });

  test('an SLO without an objective is refused', () => {
    const message = messageFor((c) => chatSlo(c, { windowDays: 28 }));
    expect(message).toContain('stages.prod.models.chat.slo: {"windowDays":28} needs "availability", "latency" or both');
  });

  test('a misspelt objective gets a "did you mean"', () => {
    const message = messageFor((c) => chatSlo(c, { windowDays: 28, availabilty: { targetPercent: 99 } }));
    expect(message).toContain('stages.prod.models.chat.slo.availabilty: is not a known setting (did you mean "availability"?)');
  });

  test('an SLO needs the stage gateway whose metrics are its SLIs', () => {
    const message = messageFor((c) => { delete (c.stages as unknown as Stages).prod.gateway; });
    expect(message).toContain('stages.prod.models.chat.slo: an SLO needs the stage\'s gateway, whose Requests, Errors and Latency metrics are its SLIs; add stages.prod.gateway or remove the slo');
  });

  test('the consumer names the gateway uses itself are reserved', () => {
    const message = messageFor((c) => { ((c.stages as unknown as Stages).prod.gateway as { consumers: { name: string }[] }).consumers[1].name = 'none'; });
    expect(message).toContain('stages.prod.gateway.consumers.1.name: "none" is reserved');
  });
});
