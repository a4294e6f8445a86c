import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CalculatorError, MAX_EXPRESSION_LENGTH, calculator, evaluate, formatNumber } from '../src/tools/calculator.ts';

describe('calculator', () => {
  const valid: Array<[string, number]> = [
    ['5+5', 10],
    ['2 + 3 * 4', 14],
    ['(2 + 3) * 4', 20],
    ['10 / 4', 2.5],
    ['10 % 4', 2],
    ['2 ^ 10', 1024],
    ['2 ^ 3 ^ 2', 512], // right-associative
    ['-2 ^ 2', -4], // as on paper
    ['(-2) ^ 2', 4],
    ['-(3 - 5)', 2],
    ['--3', 3],
    ['+4', 4],
    ['.5 + 1.25', 1.75],
    ['2 ^ -1', 0.5],
    ['  7  ', 7],
    ['((((1))))', 1],
  ];
  for (const [expression, expected] of valid) {
    it(`evaluates ${expression} = ${expected}`, () => assert.equal(evaluate(expression), expected));
  }

  it('formats results the way people write them', () => {
    assert.equal(formatNumber(evaluate('0.1 + 0.2')), '0.3');
    assert.equal(formatNumber(evaluate('1 / 3')), '0.333333333333');
    assert.equal(formatNumber(evaluate('-0 * 5')), '0');
  });

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
    ['10 ^ 400', /too large/],
    ['1..2', /Unexpected "\.2" at position 3/],
    ['0x10', /Unsupported character "x"/],
    ['1e5', /Unsupported character "e"/],
    ['('.repeat(200) + '1' + ')'.repeat(200), /nested too deeply/],
    ['-'.repeat(200) + '1', /nested too deeply/],
    ['1+'.repeat(MAX_EXPRESSION_LENGTH) + '1', /longer than/],
  ];
  for (const [expression, message] of hostile) {
    it(`refuses ${JSON.stringify(expression.slice(0, 40))} with a clear error`, () => {
      assert.throws(() => evaluate(expression), (e: unknown) => e instanceof CalculatorError && message.test(e.message));
    });
  }

  it('is a LangChain tool named calculator that answers with a string', async () => {
    assert.equal(calculator.name, 'calculator');
    assert.equal(await calculator.invoke({ expression: '6 * 7' }), '42');
  });
});
