import { tool } from '@langchain/core/tools';
import type { z } from 'zod';

/**
 * A tool failure meant for people: its message goes to the model (so it can recover) and to the
 * chat (`TOOL_RESULT.error`). Throw it for bad arguments and the like; say what was wrong.
 */
export class ToolError extends Error {
  override name = 'ToolError';
}

/** Said instead of an unexpected error's own message, which might carry a path, a URL or a key. */
export const UNEXPECTED_TOOL_FAILURE = 'The tool failed unexpectedly.';

/**
 * `tool()` from LangChain, with one guarantee: only a ToolError's message leaves the agent. Any
 * other error is logged here and reported as UNEXPECTED_TOOL_FAILURE.
 */
export function defineTool<Schema extends z.ZodObject>(
  run: (input: z.output<Schema>) => string | Promise<string>,
  fields: { name: string; description: string; schema: Schema },
) {
  return tool(async (input: z.output<Schema>) => {
    try {
      return await run(input);
    } catch (error) {
      if (error instanceof ToolError) throw error;
      console.error(`tool ${fields.name} failed:`, error);
      throw new ToolError(UNEXPECTED_TOOL_FAILURE);
    }
  }, fields);
}
