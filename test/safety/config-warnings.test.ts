import { parsePlatformConfig } from '../../lib/config/load-config';
import { referenceConfigJson } from '../helpers/fixtures';

describe('config loader: banned-word warnings', () => {
  it('warns about a banned word that can never match, and accepts the reference config silently', () => {
    const warnings: string[] = [];
    const config = referenceConfigJson();
    parsePlatformConfig(JSON.stringify(config), 'platform.json', (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    const [name, model] = Object.entries(config.models as Record<string, { safetyPolicy?: unknown }>).find(([, m]) => typeof m.safetyPolicy === 'object')!;
    model.safetyPolicy = { preset: 'standard', bannedWords: { words: ['project-nightingale', '—'] } };
    parsePlatformConfig(JSON.stringify(config), 'platform.json', (m) => warnings.push(m));
    expect(warnings).toEqual([
      `platform.json: models.${name}.safetyPolicy.bannedWords.words[1] "—" can never match: after folding (lowercase, accents and look-alikes to ASCII) it has no letters or digits; use a word with letters or digits`,
    ]);
  });
});
