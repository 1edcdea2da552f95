/**
 * Evaluates the small metric-math subset the platform emits (numbers, ids, + − × ÷, parentheses, FILL)
 * for one data point: what CloudWatch computes, so tests can check an expression against values
 * computed by hand. A missing value is undefined, as CloudWatch has no data point there; so is a
 * division by zero (CloudWatch drops the point).
 */
export function evaluateExpression(expression: string, values: Readonly<Record<string, number | undefined>>): number | undefined {
  const tokens = expression.match(/\d+(?:\.\d+)?|[A-Za-z_]\w*|[-+*/(),]/g) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) throw new Error(`unsupported metric math: ${expression}`);
  let i = 0;
  const peek = () => tokens[i];
  const primary = (): number | undefined => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      if (tokens[i++] !== ')') throw new Error(`unbalanced parentheses: ${expression}`);
      return v;
    }
    if (t === '-') {
      const v = primary();
      return v === undefined ? undefined : -v;
    }
    if (t === 'FILL' && tokens[i] === '(') {
      // FILL(x, c): x where it has a value, c where it has none.
      i++;
      const x = sum();
      if (tokens[i++] !== ',') throw new Error(`FILL takes two arguments: ${expression}`);
      const c = sum();
      if (tokens[i++] !== ')') throw new Error(`unbalanced parentheses: ${expression}`);
      return x ?? c;
    }
    if (t !== undefined && /^\d/.test(t)) return Number(t);
    if (t !== undefined && Object.hasOwn(values, t)) return values[t];
    throw new Error(`unknown id ${t} in ${expression}`);
  };
  const product = (): number | undefined => {
    let v = primary();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[i++];
      const r = primary();
      if (v === undefined || r === undefined || (op === '/' && r === 0)) v = undefined;
      else v = op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[i++];
      const r = product();
      v = v === undefined || r === undefined ? undefined : op === '+' ? v + r : v - r;
    }
    return v;
  };
  const result = sum();
  if (i !== tokens.length) throw new Error(`trailing tokens in ${expression}`);
  return result;
}
