import { z } from 'zod';
import { ToolError, defineTool } from './define-tool.ts';

/**
 * The `calculator` tool, and its safe arithmetic evaluator: a small recursive-descent parser,
 * never `eval` or `Function`.
 *
 * Grammar (usual precedence; `^` is right-associative and binds tighter than unary minus,
 * so `-2^2` is -4 as on paper):
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?
 *   primary := number | '(' expr ')'
 *
 * Exact or saying it is not: numbers are fractions of integers of any size (BigInt), so whole
 * numbers and decimals are computed exactly — 0.1 + 0.2 is 0.3, 2^53 + 1 is 9007199254740993 —
 * and a power with a fractional exponent is exact when the root is (4^0.5, (-8)^(1/3)). What has
 * no exact value here (an irrational root) is computed in floating point and, like a fraction with
 * no finite decimal form (1/3), shown to 12 significant digits and marked "(rounded)". A negative
 * number to a power with an even root is not a real number, and says so.
 */

export class CalculatorError extends ToolError {
  override name = 'CalculatorError';
}

/** Longer input is refused outright: nobody types arithmetic this long, and it bounds the work. */
export const MAX_EXPRESSION_LENGTH = 1000;
/** Bounds recursion so hostile nesting like "((((…" cannot overflow the stack. */
const MAX_DEPTH = 64;
/** Exact numbers (each numerator and denominator) have at most 1,000 digits: bounds time and memory, and what a tool result carries. */
const MAX_DIGITS = 1000;
/** Numbers of this many bits or fewer have at most MAX_DIGITS digits; a few more bits may or may not. */
const MAX_BITS = Math.floor(MAX_DIGITS * Math.log2(10));
/** Significant digits of a rounded result. */
const ROUNDED_DIGITS = 12;

/** A fraction in lowest terms, `den` > 0. */
interface Exact {
  exact: true;
  num: bigint;
  den: bigint;
}
/** A value that could only be computed in floating point. */
interface Rounded {
  exact: false;
  value: number;
}
type Value = Exact | Rounded;

const TOO_MANY_DIGITS = `A number in this calculation would have more than ${MAX_DIGITS.toLocaleString('en-US')} digits`;
const TOO_LARGE = 'The result is too large to represent';
const NOT_REAL = 'The result is not a real number: a negative number to a fractional power (an even root)';

const abs = (n: bigint) => (n < 0n ? -n : n);
const bitLength = (n: bigint) => (n === 0n ? 0 : abs(n).toString(2).length);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** More than MAX_DIGITS digits: counted only near the limit, where bits cannot tell. */
function tooLong(n: bigint): boolean {
  const bits = bitLength(n);
  return bits > MAX_BITS && (bits > MAX_BITS + 4 || abs(n).toString().length > MAX_DIGITS);
}

/** num/den in lowest terms, within the size limit. */
function exact(num: bigint, den: bigint): Exact {
  if (den === 0n) throw new CalculatorError('Division by zero');
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den);
  if (g > 1n) [num, den] = [num / g, den / g];
  if (tooLong(num) || tooLong(den)) throw new CalculatorError(TOO_MANY_DIGITS);
  return { exact: true, num, den };
}

function rounded(value: number): Rounded {
  if (Number.isNaN(value)) throw new CalculatorError('The result is not a real number');
  if (!Number.isFinite(value)) throw new CalculatorError(TOO_LARGE);
  return { exact: false, value };
}

/** The nearest double to an exact value, whatever its size (Infinity past the double range). */
function toNumber(x: Value): number {
  if (!x.exact) return x.value;
  if (x.num === 0n) return 0;
  // Scale to a quotient of about 64 bits, then back by a power of two.
  const shift = 64 - (bitLength(x.num) - bitLength(x.den));
  const q = shift >= 0 ? (x.num << BigInt(shift)) / x.den : x.num / (x.den << BigInt(-shift));
  return Number(q) * 2 ** -shift;
}

/** floor(n^(1/k)) for n ≥ 0, by Newton's method on integers. */
function integerRoot(n: bigint, k: number): bigint {
  if (n < 2n) return n;
  const K = BigInt(k);
  let x = 1n << BigInt(Math.ceil(bitLength(n) / k) + 1);
  for (;;) {
    const y = ((K - 1n) * x + n / x ** (K - 1n)) / K;
    if (y >= x) return x;
    x = y;
  }
}

/** The exact k-th root of a non-negative integer, if it has one. */
function exactRoot(n: bigint, k: number): bigint | undefined {
  const r = integerRoot(n, k);
  return r ** BigInt(k) === n ? r : undefined;
}

function arithmetic(op: string, a: Value, b: Value): Value {
  if ((op === '/' || op === '%') && (b.exact ? b.num === 0n : b.value === 0))
    throw new CalculatorError('Division by zero');
  if (!a.exact || !b.exact) {
    const x = toNumber(a);
    const y = toNumber(b);
    return rounded(op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y);
  }
  switch (op) {
    case '+':
      return exact(a.num * b.den + b.num * a.den, a.den * b.den);
    case '-':
      return exact(a.num * b.den - b.num * a.den, a.den * b.den);
    case '*':
      return exact(a.num * b.num, a.den * b.den);
    case '/':
      return exact(a.num * b.den, a.den * b.num);
    default: {
      // As in JavaScript: the remainder has the sign of the dividend (a - b × trunc(a / b)).
      const quotient = (a.num * b.den) / (a.den * b.num);
      return exact(a.num * b.den - quotient * b.num * a.den, a.den * b.den);
    }
  }
}

/** An exact value to a whole power, refused before the work when the result could only be too large. */
function integerPower(base: Exact, exponent: bigint): Exact {
  const { num, den } = base;
  if (num === 0n) {
    if (exponent < 0n) throw new CalculatorError('Division by zero');
    return exact(exponent === 0n ? 1n : 0n, 1n);
  }
  if (den === 1n && abs(num) === 1n) return exact(num < 0n && exponent % 2n !== 0n ? -1n : 1n, 1n);
  const e = abs(exponent);
  // A number of L bits is at least 2^(L-1): its e-th power has more than (L-1)·e bits, and past
  // MAX_BITS + 4 bits every number has too many digits.
  if (BigInt(Math.max(bitLength(num), bitLength(den)) - 1) * e >= BigInt(MAX_BITS + 4))
    throw new CalculatorError(TOO_MANY_DIGITS);
  const result = exact(num ** e, den ** e);
  return exponent < 0n ? exact(result.den, result.num) : result;
}

function power(base: Value, exponent: Value): Value {
  if (base.exact && exponent.exact) {
    if (exponent.den === 1n) return integerPower(base, exponent.num);
    const negative = base.num < 0n;
    if (negative && exponent.den % 2n === 0n) throw new CalculatorError(NOT_REAL);
    if (base.num === 0n) return integerPower(base, exponent.num);
    // Exact when the root is: 4^0.5 = 2, (-8)^(1/3) = -2, (27/8)^(2/3) = 9/4.
    if (exponent.den <= BigInt(MAX_BITS)) {
      const k = Number(exponent.den);
      const num = exactRoot(abs(base.num), k);
      const den = num === undefined ? undefined : exactRoot(base.den, k);
      if (num !== undefined && den !== undefined) return integerPower(exact(negative ? -num : num, den), exponent.num);
    }
    // An odd root of a negative number is real: -(|x|^p/q), negated back when p is even.
    const magnitude = Math.abs(toNumber(base)) ** toNumber(exponent);
    return rounded(negative && exponent.num % 2n !== 0n ? -magnitude : magnitude);
  }
  const x = toNumber(base);
  const y = toNumber(exponent);
  if (x < 0 && !Number.isInteger(y)) throw new CalculatorError(NOT_REAL);
  return rounded(x ** y);
}

/** `text` is the token as written, for error messages. */
type Token =
  | { kind: 'number'; value: Exact; text: string; at: number }
  | { kind: 'op'; value: string; text: string; at: number };

const OPERATORS = new Set(['+', '-', '*', '/', '%', '^', '(', ')']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      i++;
    } else if (OPERATORS.has(ch)) {
      tokens.push({ kind: 'op', value: ch, text: ch, at: i });
      i++;
    } else if ((ch >= '0' && ch <= '9') || ch === '.') {
      const match = /^(\d*)(?:\.(\d*))?/.exec(source.slice(i))!;
      const [text, whole = '', fraction = ''] = match;
      if (!whole && !fraction) throw new CalculatorError(`Unexpected "." at position ${i + 1}`);
      tokens.push({
        kind: 'number',
        value: exact(BigInt(whole + fraction), 10n ** BigInt(fraction.length)),
        text,
        at: i,
      });
      i += text.length;
    } else {
      throw new CalculatorError(
        `Unsupported character "${ch}" at position ${i + 1}: only numbers, + - * / % ^ and parentheses are allowed`,
      );
    }
  }
  return tokens;
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): Value {
    if (this.tokens.length === 0) throw new CalculatorError('The expression is empty');
    const value = this.expr();
    const extra = this.tokens[this.pos];
    if (extra) throw new CalculatorError(`Unexpected "${extra.text}" at position ${extra.at + 1}`);
    return value;
  }

  private peekOp(): string | undefined {
    const t = this.tokens[this.pos];
    return t?.kind === 'op' ? t.value : undefined;
  }

  private expr(): Value {
    let value = this.term();
    for (let op = this.peekOp(); op === '+' || op === '-'; op = this.peekOp()) {
      this.pos++;
      value = arithmetic(op, value, this.term());
    }
    return value;
  }

  private term(): Value {
    let value = this.unary();
    for (let op = this.peekOp(); op === '*' || op === '/' || op === '%'; op = this.peekOp()) {
      this.pos++;
      value = arithmetic(op, value, this.unary());
    }
    return value;
  }

  private unary(): Value {
    const op = this.peekOp();
    if (op === '-' || op === '+') {
      this.pos++;
      const value = this.nested(() => this.unary());
      if (op === '+') return value;
      return value.exact ? exact(-value.num, value.den) : rounded(-value.value);
    }
    return this.power();
  }

  private power(): Value {
    const base = this.primary();
    if (this.peekOp() !== '^') return base;
    this.pos++;
    return power(
      base,
      this.nested(() => this.unary()),
    );
  }

  private primary(): Value {
    const t = this.tokens[this.pos];
    if (!t) throw new CalculatorError('The expression ends too early');
    if (t.kind === 'number') {
      this.pos++;
      return t.value;
    }
    if (t.value === '(') {
      this.pos++;
      const value = this.nested(() => this.expr());
      if (this.peekOp() !== ')') throw new CalculatorError(`Missing ")" for "(" at position ${t.at + 1}`);
      this.pos++;
      return value;
    }
    throw new CalculatorError(`Unexpected "${t.text}" at position ${t.at + 1}`);
  }

  private nested(parse: () => Value): Value {
    if (++this.depth > MAX_DEPTH) throw new CalculatorError('The expression is nested too deeply');
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }
}

/** Evaluates an arithmetic expression; throws CalculatorError with a message meant for people. */
function evaluate(expression: string): Value {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new CalculatorError(`The expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  return new Parser(tokenize(expression)).parse();
}

/**
 * `digits` as d.ddd × 10^exponent, written the way a person would: plain from 10^-6 to 10^20
 * (as JavaScript does), with a power of ten beyond; trailing zeros dropped.
 */
function decimalText(negative: boolean, digits: string, exponent: number): string {
  const d = digits.replace(/0+$/, '') || '0';
  let text: string;
  if (d === '0') text = '0';
  else if (exponent < -6 || exponent > 20) text = `${d.length > 1 ? `${d[0]}.${d.slice(1)}` : d} × 10^${exponent}`;
  else if (exponent < 0) text = `0.${'0'.repeat(-exponent - 1)}${d}`;
  else if (d.length <= exponent + 1) text = d + '0'.repeat(exponent + 1 - d.length);
  else text = `${d.slice(0, exponent + 1)}.${d.slice(exponent + 1)}`;
  return negative && d !== '0' ? `-${text}` : text;
}

/** The power of `p` in `n`, and what is left. */
function strip(n: bigint, p: bigint): [count: number, rest: bigint] {
  let count = 0;
  while (n % p === 0n) {
    n /= p;
    count++;
  }
  return [count, n];
}

/** An exact value's significant digits, rounded half away from zero to `count`, and its power of ten. */
function significantDigits({ num, den }: Exact, count: number): [digits: string, exponent: number] {
  const n = abs(num);
  let exponent = n.toString().length - den.toString().length; // off by at most one
  for (;;) {
    const scale = count - 1 - exponent;
    const [top, bottom] = scale >= 0 ? [n * 10n ** BigInt(scale), den] : [n, den * 10n ** BigInt(-scale)];
    const digits = ((2n * top + bottom) / (2n * bottom)).toString();
    if (digits.length === count) return [digits, exponent];
    exponent += digits.length > count ? 1 : -1;
  }
}

/**
 * A result as the tool says it: an exact integer or finite decimal in full, or anything else to 12
 * significant digits followed by "(rounded)".
 */
function formatResult(value: Value): string {
  if (!value.exact) {
    const [mantissa, exponent] = Math.abs(value.value)
      .toExponential(ROUNDED_DIGITS - 1)
      .split('e');
    return `${decimalText(value.value < 0, mantissa!.replace('.', ''), Number(exponent))} (rounded)`;
  }
  const { num, den } = value;
  if (den === 1n) return num.toString();
  const [twos, afterTwos] = strip(den, 2n);
  const [fives, rest] = strip(afterTwos, 5n);
  const places = Math.max(twos, fives);
  // A finite decimal (num/den × 10^places is a whole number) short enough to write out.
  if (rest === 1n && places <= MAX_DIGITS) {
    const scaled = (abs(num) * 10n ** BigInt(places)) / den;
    const digits = scaled.toString().padStart(places + 1, '0');
    return `${num < 0n ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`;
  }
  const [digits, exponent] = significantDigits(value, ROUNDED_DIGITS);
  return `${decimalText(num < 0n, digits, exponent)} (rounded)`;
}

/** The tool's answer for an expression. */
export function calculate(expression: string): string {
  return formatResult(evaluate(expression));
}

export const calculator = defineTool(({ expression }) => calculate(expression), {
  name: 'calculator',
  description:
    'Evaluate an arithmetic expression. Supports + - * / % ^ (power), parentheses, decimals and unary minus. ' +
    `Whole numbers and decimals are exact, up to ${MAX_DIGITS.toLocaleString('en-US')} digits; a result with no exact decimal form (1/3, 2^0.5) ` +
    'is given to 12 significant digits and marked "(rounded)", and large or tiny rounded results are written like "1.5 × 10^25". ' +
    'A result that is not a real number is an error. Use it for any arithmetic instead of computing in your head.',
  schema: z.object({
    expression: z.string().describe('The arithmetic expression, for example "(12.5 + 3) * 4 ^ 2"'),
  }),
});
