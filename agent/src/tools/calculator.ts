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
 */

export class CalculatorError extends ToolError {
  override name = 'CalculatorError';
}

/** Longer input is refused outright: nobody types arithmetic this long, and it bounds the work. */
export const MAX_EXPRESSION_LENGTH = 1000;
/** Bounds recursion so hostile nesting like "((((…" cannot overflow the stack. */
const MAX_DEPTH = 64;

/** `text` is the token as written, for error messages. */
type Token = { kind: 'number'; value: number; text: string; at: number } | { kind: 'op'; value: string; text: string; at: number };

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
      const match = /^(\d+(\.\d*)?|\.\d+)/.exec(source.slice(i));
      if (!match) throw new CalculatorError(`Unexpected "." at position ${i + 1}`);
      tokens.push({ kind: 'number', value: Number(match[0]), text: match[0], at: i });
      i += match[0].length;
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

  parse(): number {
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

  private expr(): number {
    let value = this.term();
    for (let op = this.peekOp(); op === '+' || op === '-'; op = this.peekOp()) {
      this.pos++;
      const right = this.term();
      value = op === '+' ? value + right : value - right;
    }
    return value;
  }

  private term(): number {
    let value = this.unary();
    for (let op = this.peekOp(); op === '*' || op === '/' || op === '%'; op = this.peekOp()) {
      this.pos++;
      const right = this.unary();
      if ((op === '/' || op === '%') && right === 0) throw new CalculatorError('Division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  }

  private unary(): number {
    const op = this.peekOp();
    if (op === '-' || op === '+') {
      this.pos++;
      const value = this.nested(() => this.unary());
      return op === '-' ? -value : value;
    }
    return this.power();
  }

  private power(): number {
    const base = this.primary();
    if (this.peekOp() !== '^') return base;
    this.pos++;
    return base ** this.nested(() => this.unary());
  }

  private primary(): number {
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

  private nested(parse: () => number): number {
    if (++this.depth > MAX_DEPTH) throw new CalculatorError('The expression is nested too deeply');
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }
}

/** Evaluates an arithmetic expression; throws CalculatorError with a message meant for people. */
export function evaluate(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new CalculatorError(`The expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const value = new Parser(tokenize(expression)).parse();
  if (!Number.isFinite(value)) throw new CalculatorError('The result is too large to represent');
  return value;
}

/** Formats a result the way a person writes it: 0.1+0.2 is "0.3", not "0.30000000000000004". */
export function formatNumber(value: number): string {
  const rounded = Number(value.toPrecision(12));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

export const calculator = defineTool(({ expression }) => formatNumber(evaluate(expression)), {
  name: 'calculator',
  description:
    'Evaluate an arithmetic expression exactly. Supports + - * / % ^ (power), parentheses, decimals and unary minus. ' +
    'Use it for any arithmetic instead of computing in your head.',
  schema: z.object({
    expression: z.string().describe('The arithmetic expression, for example "(12.5 + 3) * 4 ^ 2"'),
  }),
});
