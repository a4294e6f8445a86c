import { AIMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { SUGGESTION_MAX_CHARS, SUGGESTIONS_MAX_ITEMS } from '../../protocol/agent-events.ts';
import { defineTool } from './tools/define-tool.ts';

/**
 * Follow-up suggestions, at no extra model call. The model is offered one more tool,
 * `suggest_follow_ups`, to call in the same message as its final answer (as models do when they
 * answer and call a tool at once). The graph takes that call out of the message before it is
 * stored: it never runs, costs no second model call, and the model's later turns never see it; its
 * questions travel in the `suggestions` channel to the end of the run. The price is the tool's
 * description in every model call's input (its tool spec is 612 characters of JSON, about 150 tokens).
 *
 * A model that calls it with no answer text beside it gets it run like any tool (it answers
 * "shown") and writes its answer in the next call: an empty answer with chips under it would help
 * nobody.
 */

export const SUGGEST_TOOL = 'suggest_follow_ups';

export const suggestFollowUps = defineTool(
  () => 'The suggestions are shown to the user under your answer. Now write your answer.',
  {
    name: SUGGEST_TOOL,
    description:
      `Optionally offer the user up to ${SUGGESTIONS_MAX_ITEMS} short follow-up questions they might ask you next, shown as buttons under your answer. ` +
      'Call it in the same message as your final answer, after the text, and only when a follow-up is genuinely useful.',
    schema: z.object({
      items: z
        .array(z.string().max(SUGGESTION_MAX_CHARS))
        .max(SUGGESTIONS_MAX_ITEMS)
        .describe('Questions in the user\'s voice, e.g. "What is that times 3?"'),
    }),
  },
);

/** Bounds a model's suggestions: strings only, trimmed, one line, no repeats, at most SUGGESTIONS_MAX_ITEMS of SUGGESTION_MAX_CHARS. */
export function boundSuggestions(raw: unknown[]): string[] {
  const items = new Set<string>();
  for (const item of raw) {
    if (typeof item !== 'string') continue;
    const text = item.replace(/\s+/g, ' ').trim();
    if (text && text.length <= SUGGESTION_MAX_CHARS) items.add(text);
    if (items.size === SUGGESTIONS_MAX_ITEMS) break;
  }
  return [...items];
}

/**
 * Splits the model's message into what is stored (without the suggestions call, unless it stands
 * alone) and the suggestions it made, if any.
 */
export function takeSuggestions(message: AIMessage): { message: AIMessage; suggestions?: string[] } {
  const calls = message.tool_calls ?? [];
  const asked = calls.filter((call) => call.name === SUGGEST_TOOL);
  if (asked.length === 0) return { message };
  const suggestions = boundSuggestions(
    asked.flatMap((call) => (Array.isArray(call.args.items) ? call.args.items : [])),
  );
  if (!message.text.trim()) return { message, suggestions };
  const stored = new AIMessage({
    id: message.id,
    content: message.content,
    tool_calls: calls.filter((call) => call.name !== SUGGEST_TOOL),
    invalid_tool_calls: message.invalid_tool_calls,
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
    usage_metadata: message.usage_metadata,
  });
  return { message: stored, suggestions };
}

/** Whether a model message called nothing but the suggestions tool (the one case where it runs). */
export function onlySuggested(message: AIMessage | undefined): boolean {
  const calls = message?.tool_calls ?? [];
  return calls.length > 0 && calls.every((call) => call.name === SUGGEST_TOOL);
}
