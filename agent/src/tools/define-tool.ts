import { type StructuredToolInterface, type ToolRuntime, tool } from '@langchain/core/tools';
import type { Command } from '@langchain/langgraph';
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

export interface ToolFields<Schema extends z.ZodObject> {
  name: string;
  description: string;
  schema: Schema;
  /**
   * Ask the user before the tool runs: always (`true`), or for the calls whose arguments the
   * function picks. The function is called again when the run resumes, so it must depend on the
   * arguments alone. A call whose arguments do not fit the schema is never asked about: it fails.
   */
  needsApproval?: boolean | ((args: z.output<Schema>) => boolean);
  /** The question an approval asks the user, e.g. `Save the note "buy milk"?`; by default `Run <name>?`. */
  approvalPrompt?: (args: z.output<Schema>) => string;
}

/** A tool's answer: text for the model, or a LangGraph Command that also updates the graph's state. */
type ToolOutput = string | Command;

/** The approval rules of the tools made by `defineTool`, which LangChain's tool object has no place for. */
const approvals = new WeakMap<object, (args: Record<string, unknown>) => string | undefined>();

/**
 * `tool()` from LangChain, with one guarantee: only a ToolError's message leaves the agent. Any
 * other error is logged here and reported as UNEXPECTED_TOOL_FAILURE. `run` gets the call's
 * runtime too (the graph's state, the tool call's id) for tools that read or update the state.
 */
export function defineTool<Schema extends z.ZodObject, Output extends ToolOutput = string>(
  run: (input: z.output<Schema>, runtime: ToolRuntime) => Output | Promise<Output>,
  { needsApproval, approvalPrompt, ...fields }: ToolFields<Schema>,
) {
  const defined = tool(async (input: z.output<Schema>, runtime: ToolRuntime) => {
    try {
      return await run(input, runtime);
    } catch (error) {
      if (error instanceof ToolError) throw error;
      console.error(`tool ${fields.name} failed:`, error);
      throw new ToolError(UNEXPECTED_TOOL_FAILURE);
    }
  }, fields);
  if (needsApproval) {
    const fallback = `Run ${fields.name}?`;
    approvals.set(defined, (raw) => {
      const parsed = fields.schema.safeParse(raw);
      if (!parsed.success) return undefined;
      const args = parsed.data as z.output<Schema>;
      try {
        return needsApproval === true || needsApproval(args) ? (approvalPrompt?.(args) ?? fallback) : undefined;
      } catch (error) {
        // A rule that fails asks: running unasked is the one outcome an approval must never have.
        console.error(`tool ${fields.name}: its approval rule failed:`, error);
        return fallback;
      }
    });
  }
  return defined;
}

/** Why this call of `tool` must wait for the user (the question to ask), or undefined when it may run. */
export function approvalQuestion(tool: StructuredToolInterface, args: Record<string, unknown>): string | undefined {
  return approvals.get(tool)?.(args);
}
