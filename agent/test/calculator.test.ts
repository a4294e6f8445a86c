import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CalculatorError, MAX_EXPRESSION_LENGTH, calculate, calculator } from '../src/tools/calculator.ts';

describe('calculator', () => {
  const exact: Array<[string, string]> = [
    ['5+5', '10'],
    ['2 + 3 * 4', '14'],
    ['(2 + 3) * 4', '20'],
    ['10 / 4', '2.5'],
    ['10 % 4', '2'],
    ['5.5 % 2', '1.5'],
    ['-7 % 3', '-1'], // the sign of the dividend, as in JavaScript
    ['2 ^ 10', '1024'],
    ['2 ^ 3 ^ 2', '512'], // right-associative
    ['-2 ^ 2', '-4'], // as on paper
    ['(-2) ^ 2', '4'],
    ['-(3 - 5)', '2'],
    ['--3', '3'],
    ['+4', '4'],
    ['.5 + 1.25', '1.75'],
    ['2 ^ -1', '0.5'],
    ['  7  ', '7'],
    ['((((1))))', '1'],
    ['-0 * 5', '0'],
    // What floating point gets wrong, exactly.
    ['0.1 + 0.2', '0.3'],
    ['123456789 * 987654321', '121932631112635269'],
    ['2^53 + 1', '9007199254740993'],
    ['1/3 * 3', '1'],
    ['0.1 ^ 20', '0.00000000000000000001'],
    ['10 ^ 400 + 1', `1${'0'.repeat(399)}1`],
    ['2 ^ 3000 / 2 ^ 2999', '2'],
    ['2 ^ 3321', (2n ** 3321n).toString()], // 1,000 digits: the largest power of two allowed
    ['999999999999.9999999 / 1', '999999999999.9999999'],
    // Roots, exact when they are.
    ['4 ^ 0.5', '2'],
    ['(-8) ^ (1/3)', '-2'],
    ['(-8) ^ (2/3)', '4'],
    ['(27/8) ^ (2/3)', '2.25'],
    ['0 ^ 0.5', '0'],
    ['0 ^ 0', '1'],
    ['(-1) ^ 99999999999999', '-1'],
  ];
  for (const [expression, expected] of exact) {
    it(`${expression} = ${expected.length > 30 ? `${expected.slice(0, 12)}…` : expected}, exactly`, () =>
      assert.equal(calculate(expression), expected));
  }

  const inexact: Array<[string, string]> = [
    ['1 / 3', '0.333333333333 (rounded)'],
    ['2 / 3', '0.666666666667 (rounded)'],
    ['-1 / 3', '-0.333333333333 (rounded)'],
    ['2 ^ 0.5', '1.41421356237 (rounded)'],
    ['(-8) ^ (1/27)', '-1.08005973889 (rounded)'], // an odd root of a negative number is real
    ['2 ^ 0.5 * 2 ^ 0.5', '2 (rounded)'], // floating point once, rounded thereafter
    ['10 ^ 30 / 3', '3.33333333333 × 10^29 (rounded)'],
    ['1 / 3 / 10000000', '3.33333333333 × 10^-8 (rounded)'],
    ['2 ^ 0.5 * 10 ^ 300', '1.41421356237 × 10^300 (rounded)'],
    ['1 / 2 ^ 3000', '8.12854862556 × 10^-904 (rounded)'], // exact, but 3000 decimal places long
  ];
  for (const [expression, expected] of inexact) {
    it(`${expression} = ${expected}, and says it is rounded`, () => assert.equal(calculate(expression), expected));
  }

  const hostile: Array<[string, RegExp]> = [
    ['', /empty/],
    ['process.exit()', /Unsupported character "p"/],
    ['constructor.constructor("return process")()', /Unsupported character "c"/],
    ['require("fs")', /Unsupported character "r"/],
    ['1; 2', /Unsupported character ";"/],
    ['2 ** 3', /Unexpected "\*"/],
    ['1 +', /ends too early/],
    ['(1 + 2', /Missing "\)"/],
    ['1 + 2)', /Unexpected "\)"/],
    ['1 / 0', /Division by zero/],
    ['5 % 0', /Division by zero/],
    ['0 ^ -1', /Division by zero/],
    ['2 ^ 0.5 / 0', /Division by zero/],
    ['(-1) ^ 0.5', /not a real number/],
    ['(-8) ^ 0.333', /not a real number/],
    ['(-2) ^ (2 ^ 0.5)', /not a real number/],
    ['10 ^ 1000', /more than 1,000 digits/],
    ['2 ^ 3322', /more than 1,000 digits/],
    ['10 ^ 999 * 10', /more than 1,000 digits/],
    ['10 ^ 400.5', /too large to represent/],
    ['1..2', /Unexpected "\.2" at position 3/],
    ['.', /Unexpected "\." at position 1/],
    ['0x10', /Unsupported character "x"/],
    ['1e5', /Unsupported character "e"/],
    [`${'('.repeat(200)}1${')'.repeat(200)}`, /nested too deeply/],
    [`${'-'.repeat(200)}1`, /nested too deeply/],
    [`${'1+'.repeat(MAX_EXPRESSION_LENGTH)}1`, /longer than/],
  ];
  for (const [expression, message] of hostile) {
    it(`refuses ${JSON.stringify(expression.slice(0, 40))} with a clear error`, () => {
      assert.throws(
        () => calculate(expression),
        (e: unknown) => e instanceof CalculatorError && message.test(e.message),
      );
    });
  }

  // Each is refused from the sizes alone, before any of the work: none may hang or take the memory.
  for (const expression of [
    '2 ^ 99999999999999999999',
    '9 ^ 9 ^ 9 ^ 9',
    '(1/3) ^ 123456789',
    '(2^3000) ^ (2^3000)',
    '7 ^ (10 ^ 999)',
  ]) {
    it(`refuses ${expression} at once`, { timeout: 5000 }, () => {
      assert.throws(
        () => calculate(expression),
        (e: unknown) => e instanceof CalculatorError && /more than 1,000 digits/.test(e.message),
      );
    });
  }

  it('is a LangChain tool named calculator that answers with a string, and says in its description what is exact', async () => {
    assert.equal(calculator.name, 'calculator');
    assert.equal(await calculator.invoke({ expression: '6 * 7' }), '42');
    assert.equal(await calculator.invoke({ expression: '1 / 3' }), '0.333333333333 (rounded)');
    assert.match(calculator.description, /exact, up to 1,000 digits/);
    assert.match(calculator.description, /\(rounded\)/);
  });
});
