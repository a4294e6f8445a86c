import { PAGE_TOOL_RESULT_MAX_CHARS, type PageTool, type PageToolOutcome } from '../../protocol/agent-request.ts';

/** A tool the page gives the agent (`chat.tools`): described for the model, run in the page. */
export interface PageToolHandler extends PageTool {
  /**
   * Runs one call with the model's arguments. What it returns (or resolves to) is the result: a
   * string as it is, anything else as JSON. What it throws (or rejects with) is the error.
   */
  handler(args: Record<string, unknown>): unknown;
}

/** The tools as a request carries them: without their handlers. */
export const describeTools = (tools: readonly PageToolHandler[]): PageTool[] =>
  tools.map(({ name, description, parameters }) => ({ name, description, parameters }));

const cap = (text: string) => text.slice(0, PAGE_TOOL_RESULT_MAX_CHARS);

/**
 * Runs the call `id` of the page tool `name` with its handler, within `timeoutMs`: the outcome the
 * agent resumes with, its text cut at PAGE_TOOL_RESULT_MAX_CHARS. Never throws: a missing tool, a
 * handler that throws, returns what JSON cannot hold, or does not answer in time is an `error`.
 */
export async function runPageTool(
  tools: readonly PageToolHandler[],
  { id, tool: name, args }: { id: string; tool: string; args: Record<string, unknown> },
  timeoutMs: number,
): Promise<PageToolOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const tool = tools.find((t) => t.name === name);
    if (!tool) throw new Error(`This page has no tool "${name}".`);
    const value = await Promise.race([
      (async () => tool.handler(args))(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The tool did not answer within ${timeoutMs} ms.`)), timeoutMs);
      }),
    ]);
    return { id, result: cap(typeof value === 'string' ? value : (JSON.stringify(value) ?? '')) };
  } catch (error) {
    let text = '';
    try {
      text = String(error instanceof Error ? error.message : error);
    } catch {
      // A thrown value that cannot be made text (no toString, or one that throws) says nothing more.
    }
    return { id, error: cap(text) || 'The tool failed.' };
  } finally {
    clearTimeout(timer);
  }
}
