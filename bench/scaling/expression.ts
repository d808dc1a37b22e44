/**
 * A small evaluator for the CloudWatch metric math the scaling policies and alarms use:
 * numbers, metric ids, + - * /, comparisons (< <= > >= == !=), AND, OR, parentheses and the
 * functions IF(cond, a, b), MAX(a, b, ...), MIN(a, b, ...), ABS(a). Division by zero gives NaN
 * (CloudWatch drops such a datapoint). Anything else is an error naming the expression.
 */

type Token = { kind: 'num'; value: number } | { kind: 'id'; value: string } | { kind: 'op'; value: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|[-+*/(),<>]))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) throw new Error(`metric math: cannot read "${expr.slice(pos)}" in "${expr}"`);
    pos = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'id', value: m[2] });
    else tokens.push({ kind: 'op', value: m[3] });
  }
  return tokens;
}

/** Evaluates `expr` with the metric ids in `values`. */
export function evaluate(expr: string, values: Readonly<Record<string, number>>): number {
  const tokens = tokenize(expr);
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (v: string) => peek()?.kind === 'op' && peek()!.value === v;
  const isWord = (v: string) => { const t = peek(); return t?.kind === 'id' && t.value.toUpperCase() === v; };
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error(`metric math: expected "${v}" in "${expr}"`);
    i++;
  };
  const or = (): number => {
    let left = and();
    while (isWord('OR')) { i++; const right = and(); left = left !== 0 || right !== 0 ? 1 : 0; }
    return left;
  };
  const and = (): number => {
    let left = comparison();
    while (isWord('AND')) { i++; const right = comparison(); left = left !== 0 && right !== 0 ? 1 : 0; }
    return left;
  };
  const comparison = (): number => {
    let left = additive();
    for (;;) {
      const t = peek();
      if (t?.kind !== 'op' || !['<', '<=', '>', '>=', '==', '!='].includes(t.value)) return left;
      i++;
      const right = additive();
      const r = { '<': left < right, '<=': left <= right, '>': left > right, '>=': left >= right, '==': left === right, '!=': left !== right }[t.value as '<'];
      left = r ? 1 : 0;
    }
  };
  const additive = (): number => {
    let left = term();
    while (isOp('+') || isOp('-')) { const op = tokens[i++].value; const right = term(); left = op === '+' ? left + right : left - right; }
    return left;
  };
  const term = (): number => {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = tokens[i++].value;
      const right = unary();
      left = op === '*' ? left * right : (right === 0 ? NaN : left / right);
    }
    return left;
  };
  const unary = (): number => {
    if (isOp('-')) { i++; return -unary(); }
    return primary();
  };
  const primary = (): number => {
    const t = tokens[i++];
    if (!t) throw new Error(`metric math: unexpected end of "${expr}"`);
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op' && t.value === '(') { const v = or(); expect(')'); return v; }
    if (t.kind === 'id') {
      if (isOp('(')) {
        i++;
        const args: number[] = [];
        if (!isOp(')')) { args.push(or()); while (isOp(',')) { i++; args.push(or()); } }
        expect(')');
        switch (t.value.toUpperCase()) {
          case 'IF': if (args.length !== 3) throw new Error(`metric math: IF takes 3 arguments in "${expr}"`); return args[0] !== 0 ? args[1] : args[2];
          case 'MAX': return Math.max(...args);
          case 'MIN': return Math.min(...args);
          case 'ABS': return Math.abs(args[0]);
          default: throw new Error(`metric math: unsupported function ${t.value} in "${expr}"`);
        }
      }
      if (!(t.value in values)) throw new Error(`metric math: unknown id "${t.value}" in "${expr}"`);
      return values[t.value];
    }
    throw new Error(`metric math: unexpected "${t.value}" in "${expr}"`);
  };
  const result = or();
  if (i !== tokens.length) throw new Error(`metric math: trailing input in "${expr}"`);
  return result;
}
