import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { evaluate, formatNumber } from './calculator.ts';

export const calculator = tool(({ expression }) => formatNumber(evaluate(expression)), {
  name: 'calculator',
  description:
    'Evaluate an arithmetic expression exactly. Supports + - * / % ^ (power), parentheses, decimals and unary minus. ' +
    'Use it for any arithmetic instead of computing in your head.',
  schema: z.object({
    expression: z.string().describe('The arithmetic expression, for example "(12.5 + 3) * 4 ^ 2"'),
  }),
});

/** Every tool the agent may call. Adding a tool: write it, then list it here. */
export const tools = [calculator];
