import { checkInput } from '../../lambda/safety/pipeline';
import { CLEAR_INJECTIONS, ORDINARY_PROMPTS } from './fixtures/ordinary-prompts';

// Ordinary creative-writing and task prompts were blocked by the classifier alone
// ("Write a haiku about autumn" scored 0.78); clear injections must stay blocked.
describe('standard policy on hand-written prompts', () => {
  it.each(ORDINARY_PROMPTS)('allows an ordinary prompt: %s', (prompt) => {
    expect(checkInput(prompt).action).toBe('allow');
  });

  it.each(CLEAR_INJECTIONS)('blocks a clear injection: %s', (prompt) => {
    const verdict = checkInput(prompt);
    expect(verdict.action).toBe('block');
    expect(verdict.findings.some((f) => f.check === 'injection' || f.check === 'classifier')).toBe(true);
  });
});
