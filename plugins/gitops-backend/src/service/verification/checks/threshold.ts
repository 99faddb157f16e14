/** A comparison a check's value must satisfy, e.g. `< 0.01`. */
export interface Threshold {
  operator: '<' | '<=' | '>' | '>=' | '==' | '!=';
  value: number;
  /** Normalised text (`< 0.01`), as shown in outcomes. */
  text: string;
}

// Operators longest first, so `<=` is not read as `<` followed by `=5`.
const THRESHOLD =
  /^\s*(<=|>=|==|!=|<|>)\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*$/;

/**
 * Reads a threshold: `< 0.01`, `<= 5`, `> 0.99`, `>= 1`, `== 0`, `!= 0`; spaces are optional
 * and numbers may have an exponent (`< 1e-3`).
 *
 * @throws Error saying what is accepted when the text is not a threshold.
 */
export function parseThreshold(text: unknown): Threshold {
  const match = typeof text === 'string' ? text.match(THRESHOLD) : null;
  if (!match) {
    throw new Error(
      `invalid threshold ${JSON.stringify(
        text,
      )}; expected an operator (<, <=, >, >=, ==, !=) and a number, e.g. "< 0.01"`,
    );
  }
  const operator = match[1] as Threshold['operator'];
  const value = Number(match[2]);
  return { operator, value, text: `${operator} ${match[2]}` };
}

/** Whether `value` satisfies the threshold. NaN satisfies none (not even `!=`). */
export function compare(value: number, threshold: Threshold): boolean {
  if (Number.isNaN(value)) return false;
  switch (threshold.operator) {
    case '<':
      return value < threshold.value;
    case '<=':
      return value <= threshold.value;
    case '>':
      return value > threshold.value;
    case '>=':
      return value >= threshold.value;
    case '==':
      return value === threshold.value;
    case '!=':
      return value !== threshold.value;
    default:
      throw new Error(`unknown threshold operator ${threshold.operator}`);
  }
}

/**
 * Of several values, the one furthest on the wrong side of the threshold: the highest for
 * `<`/`<=`, the lowest for `>`/`>=`, the first that fails for `==`/`!=`. It is the value an
 * outcome reports, so "passed" shows the margin left and "failed" the worst offender.
 */
export function worstIndex(values: number[], threshold: Threshold): number {
  if (values.length === 0) return -1;
  const pick = (better: (a: number, b: number) => boolean) =>
    values.reduce(
      (worst, value, i) => (better(value, values[worst]) ? i : worst),
      0,
    );
  switch (threshold.operator) {
    case '<':
    case '<=':
      return pick((a, b) => a > b);
    case '>':
    case '>=':
      return pick((a, b) => a < b);
    default: {
      const failing = values.findIndex(value => !compare(value, threshold));
      return failing >= 0 ? failing : 0;
    }
  }
}
