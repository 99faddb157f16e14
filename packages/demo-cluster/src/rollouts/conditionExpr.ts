/*
 * DEMO ONLY. The part of Argo Rollouts' `successCondition` / `failureCondition` language
 * (expr-lang over `result`) the demo's analyses use: `result`, `result[N]`, `len(result)`,
 * numbers, `true`/`false`, comparisons, `!`, `&&`, `||`, `and`, `or`, `not` and parentheses,
 * e.g. `result[0] >= 0.95` or `len(result) > 0 && result[0] < 0.05`.
 */

type Value = number | boolean | number[];

const TOKEN =
  /\s*(>=|<=|==|!=|&&|\|\||[()[\]<>!]|\d+(?:\.\d+)?(?:e[+-]?\d+)?|[A-Za-z_][A-Za-z_0-9]*)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (text.slice(start).trim() === '') break;
      throw new Error(`unexpected "${text.slice(start).trim()}"`);
    }
    tokens.push(m[1]);
  }
  return tokens;
}

/** A recursive-descent reader of the expression, evaluating as it reads. */
class Parser {
  private readonly tokens: string[];
  private i = 0;

  constructor(
    private readonly condition: string,
    private readonly result: number[],
  ) {
    this.tokens = tokenize(condition);
  }

  parse(): Value {
    const value = this.or();
    if (this.i < this.tokens.length) {
      throw new Error(
        `unexpected "${this.tokens[this.i]}" in "${this.condition}"`,
      );
    }
    return value;
  }

  private peek(): string | undefined {
    return this.tokens[this.i];
  }

  private take(expected?: string): string {
    const token = this.tokens[this.i++];
    if (expected !== undefined && token !== expected) {
      throw new Error(`expected "${expected}" in "${this.condition}"`);
    }
    if (token === undefined) throw new Error(`"${this.condition}" ends early`);
    return token;
  }

  private or(): Value {
    let left = this.and();
    while (this.peek() === '||' || this.peek() === 'or') {
      this.take();
      const right = this.and();
      left = truthy(left) || truthy(right);
    }
    return left;
  }

  private and(): Value {
    let left = this.comparison();
    while (this.peek() === '&&' || this.peek() === 'and') {
      this.take();
      const right = this.comparison();
      left = truthy(left) && truthy(right);
    }
    return left;
  }

  private comparison(): Value {
    const left = this.unary();
    const op = this.peek() ?? '';
    if (!['>=', '<=', '==', '!=', '<', '>'].includes(op)) return left;
    this.take();
    const a = scalar(left);
    const b = scalar(this.unary());
    switch (op) {
      case '>=':
        return a >= b;
      case '<=':
        return a <= b;
      case '<':
        return a < b;
      case '>':
        return a > b;
      case '==':
        return a === b;
      default:
        return a !== b;
    }
  }

  private unary(): Value {
    if (this.peek() === '!' || this.peek() === 'not') {
      this.take();
      return !truthy(this.unary());
    }
    return this.operand();
  }

  private operand(): Value {
    const token = this.take();
    if (token === '(') {
      const inner = this.or();
      this.take(')');
      return inner;
    }
    if (token === 'true' || token === 'false') return token === 'true';
    if (/^\d/.test(token)) return Number(token);
    if (token === 'len') {
      this.take('(');
      const inner = this.or();
      this.take(')');
      if (!Array.isArray(inner)) throw new Error('len() of a number');
      return inner.length;
    }
    if (token === 'result') {
      if (this.peek() !== '[') return this.result;
      this.take('[');
      const index = Number(this.take());
      this.take(']');
      if (!Number.isInteger(index) || index >= this.result.length) {
        throw new Error(
          `index out of range: ${index} (length ${this.result.length})`,
        );
      }
      return this.result[index];
    }
    throw new Error(`unknown name "${token}" in "${this.condition}"`);
  }
}

/**
 * Evaluates a condition on a measurement's result (a Prometheus vector's values); throws
 * when the expression is not one the demo reads.
 */
export function evaluateCondition(
  condition: string,
  result: number[],
): boolean {
  return truthy(new Parser(condition, result).parse());
}

function truthy(value: Value): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function scalar(value: Value): number {
  if (Array.isArray(value)) {
    if (value.length !== 1) {
      throw new Error('a vector of several values compared to a number');
    }
    return value[0];
  }
  return typeof value === 'boolean' ? Number(value) : value;
}
