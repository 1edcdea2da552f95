import { Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Collects every problem with a construct's props, then throws them as one error that names
 * the construct path, each bad value and the fix, so a user fixes all of them in one pass.
 */
export class PropValidation {
  private readonly problems: string[] = [];

  /** Records a problem with `field`: what is wrong with `value`, and how to fix it. */
  public fail(field: string, value: unknown, problem: string): void {
    this.problems.push(`${field}: ${describe(value)} ${problem}`);
  }

  /** Records problems already phrased as `field: value problem` (e.g. by a parser that names its own fields). */
  public report(problems: readonly string[]): void {
    this.problems.push(...problems);
  }

  /** Records a problem when `value` is a concrete number outside [min, max]. Tokens pass. */
  public inRange(field: string, value: number | undefined, min: number, max: number, unit = ''): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isFinite(value) || value < min || value > max) {
      this.fail(field, value, `is out of range: use ${min}–${max}${unit}`);
    }
  }

  /** Records a problem when `value` is not a whole number ≥ min. Tokens pass. */
  public wholeNumber(field: string, value: number | undefined, min: number): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min) this.fail(field, value, `must be a whole number ≥ ${min}`);
  }

  public get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  /** Throws one error listing every problem, or returns when there are none. */
  public throwIfAny(scope: IConstruct): void {
    if (this.problems.length === 0) return;
    throw new Error(`${scope.node.path}: invalid props:\n${this.problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value) ?? String(value);
}
