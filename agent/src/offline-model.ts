import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { AIMessage, AIMessageChunk, type BaseMessage, ToolMessage, isAIMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';
import { randomUUID } from 'node:crypto';
import { readRefusal } from './approvals.ts';
import { pageDataOf } from './page-tools.ts';
import { SUGGEST_TOOL } from './suggestions.ts';

/**
 * The offline model: a real LangChain chat model (tool binding, streamed chunks with
 * `tool_call_chunks`) whose "brain" is a few deterministic rules, so the whole product runs with no
 * AWS account. Arithmetic goes to the calculator tool, "what time is it in …?" to current_time,
 * "save a note: …" / "remember that …" to save_note (which asks the user first), "what are my
 * notes?" to list_notes, and "make the page green" to the demo page's `set_accent_color` page tool
 * when the request brings it; anything else gets an honest answer saying this is the offline model.
 * Its answers suggest a follow-up, as a real model may, through the `suggest_follow_ups` tool.
 * Everything around it — graph, tools, events, every hop — is real.
 */

export interface OfflineChatModelParams extends BaseChatModelParams {
  /** Pause between streamed chunks, in ms (0 streams as fast as possible). */
  tokenDelayMs?: number;
}

interface OfflineCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
}

type Reply =
  | { kind: 'text'; text: string; suggestions?: string[] }
  | { kind: 'tool_call'; name: string; args: Record<string, string> };

export const OFFLINE_NOTICE =
  "I'm the offline demo model, so I can't really answer that — but the chat, the streaming and the tools around me are real. " +
  'Ask me some arithmetic, like "What is 12 * (3 + 4)?", the time somewhere, like "What time is it in Tokyo?", ' +
  'or to "Save a note: buy milk" (I will ask you first) and then "What are my notes?", and I will use my tools. ' +
  'Set MODEL_PROVIDER=bedrock to talk to a real model on Amazon Bedrock.';

/** The demo page's page tool (demo/), which the offline model calls for "make the page green". */
const ACCENT_TOOL = 'set_accent_color';

/** Spoken arithmetic, rewritten as symbols before looking for an expression. */
const SPOKEN_OPERATORS: Array<[RegExp, string]> = [
  [/\b(multiplied by|times)\b/gi, '*'],
  [/\b(divided by|over)\b/gi, '/'],
  [/\bplus\b/gi, '+'],
  [/\bminus\b/gi, '-'],
  [/\b(to the power of|raised to)\b/gi, '^'],
  [/\b(mod|modulo)\b/gi, '%'],
  [/×/g, '*'],
  [/÷/g, '/'],
  [/(\d)\s*x\s*(?=[\d(])/gi, '$1*'],
];

/** Words that point back at the previous result: "what is that times 3?" */
const BACK_REFERENCE = /\b(that|it|the result|the answer)\b/gi;

/**
 * Finds the arithmetic in a sentence, if any. `previous` (the last calculator result in the
 * conversation) replaces words like "that", which is how a follow-up question uses memory.
 */
export function extractExpression(text: string, previous?: string): string | undefined {
  let normalized = text;
  for (const [pattern, symbol] of SPOKEN_OPERATORS) normalized = normalized.replace(pattern, ` ${symbol} `);
  if (previous !== undefined) {
    normalized = normalized.replace(BACK_REFERENCE, /^\d+(\.\d+)?$/.test(previous) ? previous : `(${previous})`);
  }
  const candidates = normalized.match(/[-+*/%^().\d\s]*\d[-+*/%^().\d\s]*/g) ?? [];
  const expression = candidates.map((c) => c.trim()).find((c) => /[\d)]\s*[-+*/%^]\s*[-+(.\d]/.test(c));
  return expression?.replace(/\s+/g, ' ');
}

function textOf(message: BaseMessage): string {
  return typeof message.content === 'string' ? message.content : message.text;
}

/** A calculator result as the tool writes it: "10", "-0.5", "0.333333333333 (rounded)", "1.5 × 10^25 (rounded)". */
const CALCULATOR_RESULT = /^(-?\d+(?:\.\d+)?)(?: × 10\^(-?\d+))?(?: \(rounded\))?$/;

/** The last successful calculator result in the conversation, as an expression, if any. */
function previousResult(messages: BaseMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (ToolMessage.isInstance(m) && m.name === 'calculator' && m.status !== 'error') {
      const result = CALCULATOR_RESULT.exec(textOf(m).trim());
      if (result) return result[2] === undefined ? result[1] : `${result[1]} * 10^${result[2]}`;
    }
  }
  return undefined;
}

/** The names of the bound tools: LangChain tools, and page tools in the OpenAI function format. */
function toolNames(tools: BindToolsInput[] | undefined): Set<string> {
  const nameOf = (t: BindToolsInput) =>
    (t as { name?: string }).name ?? (t as { function?: { name?: string } }).function?.name;
  return new Set((tools ?? []).map(nameOf).filter((n): n is string => !!n));
}

// Each rule is one or two plain scans: a pattern like `a.*b` backtracks quadratically on a long
// message (a 100 KB prompt of "show show …" took 1.9 s), and the model reads whatever a user sends.
const MY_NOTES = /\bmy notes\b/i;
const ASK_FOR = /\b(?:what are|show|list|read|tell)\b|^\s*my notes\??\s*$/i;
const SAVE_NOTE =
  /^\s*(?:please\s+)?(?:(?:save|take|make|add)\s+(?:a\s+)?note|note\s+down|remember)\b(?:\s+that)?\s*[:,-]?\s*(.*\S)\s*$/is;

/** The note a "save a note: …" or "remember that …" message asks for. */
export function noteIn(question: string): string | undefined {
  return SAVE_NOTE.exec(question)?.[1]?.replace(/[.!]+$/, '');
}

/** Colours a person names (CSS keywords), and hex colours. */
const COLOUR =
  /#[0-9a-f]{3,8}\b|\b(?:red|orange|yellow|green|teal|cyan|blue|navy|indigo|purple|violet|magenta|pink|brown|black|white|gr[ae]y|gold)\b/i;
const CHANGE = /\b(?:make|turn|change|set|paint)\b/i;
const PAGE = /\b(?:page|accent|theme|colou?r)\b/i;

/** The colour a "make the page green" / "change the accent colour to #ff8800" message asks for. */
export function accentColourIn(question: string): string | undefined {
  return CHANGE.test(question) && PAGE.test(question) ? COLOUR.exec(question)?.[0].toLowerCase() : undefined;
}

/**
 * The IANA time zone of the place a time question names ("What time is it in New York?" →
 * America/New_York), matched against the zones Intl knows; UTC when it names none. A place Intl
 * does not know is passed on as is, so the tool's "unknown time zone" error shows in the demo.
 */
export function timeZoneFor(question: string): string {
  const place = /\bin\s+(\p{L}[\p{L} ._/'-]*?)\s*(?:[?.!,]|\b(?:right )?now\b|$)/iu.exec(question)?.[1];
  if (!place) return 'UTC';
  const wanted = place.toLowerCase().replace(/\s+/g, '_');
  const zones = Intl.supportedValuesOf('timeZone');
  return (
    zones.find((zone) => zone.toLowerCase() === wanted) ??
    zones.find((zone) => zone.toLowerCase().split('/').at(-1) === wanted) ??
    place
  );
}

const TIME_QUESTION = /\b(what time|time is it|current time|time now|what day)\b/i;

/** The reply to a tool's result, in words, with a follow-up to suggest. */
function answerFrom(call: ToolCall | undefined, result: ToolMessage): Reply {
  const text = textOf(result).trim();
  const failed = result.status === 'error';
  const reason = text.replace(/^Error: /, '').split('\n')[0];
  const say = (answer: string, ...suggestions: string[]): Reply => ({ kind: 'text', text: answer, suggestions });
  const refusal = readRefusal(text);
  if (refusal) {
    const note = refusal.note ? ` You said: "${refusal.note}".` : '';
    return say(
      `OK, I didn't ${call?.name === 'save_note' ? 'save the note' : `run ${call?.name ?? 'the tool'}`}.${note}`,
    );
  }
  switch (call?.name) {
    case 'current_time': {
      if (failed) return say(`I couldn't tell the time in ${String(call.args.time_zone)}: ${reason}`);
      const other = /London/.test(text) ? 'Tokyo' : 'London';
      return say(`It is ${text}.`, `What time is it in ${other}?`);
    }
    case 'save_note':
      return failed
        ? say(`I couldn't save the note: ${reason}`)
        : say(`I saved your note: "${String(call.args.text)}".`, 'What are my notes?');
    case 'list_notes':
      return /^There are no notes/.test(text)
        ? say('You have no notes in this session yet.', 'Save a note: buy milk')
        : say(`Your notes:\n${text}`);
    case ACCENT_TOOL: {
      const said = pageDataOf(text) ?? text;
      return failed
        ? say(`The page couldn't change its accent colour: ${said}`)
        : say(`Done: the page's accent colour is now ${String(call.args.color)}.`);
    }
    case 'calculator':
    case undefined: {
      // No follow-up here: the seed's curl ("What is 5+5?") streams exactly the seed's sequence on Wire 2.
      const expression = String(call?.args?.expression ?? 'that');
      return failed
        ? say(`I couldn't calculate ${expression}: ${reason}`)
        : say(`The result of ${expression} is ${text}.`);
    }
    default:
      return say(failed ? `${call?.name} failed: ${reason}` : `${call?.name} returned: ${pageDataOf(text) ?? text}`);
  }
}

/** The whole "brain": decides the next reply from the conversation so far. */
export function decideReply(messages: BaseMessage[], available: Set<string>): Reply {
  const last = messages.at(-1);
  if (last && ToolMessage.isInstance(last)) {
    const call = messages
      .filter(isAIMessage)
      .flatMap((m) => m.tool_calls ?? [])
      .find((c) => c.id === last.tool_call_id);
    return answerFrom(call, last);
  }
  const question = last ? textOf(last) : '';
  if (available.has('list_notes') && MY_NOTES.test(question) && ASK_FOR.test(question))
    return { kind: 'tool_call', name: 'list_notes', args: {} };
  const note = available.has('save_note') ? noteIn(question) : undefined;
  if (note) return { kind: 'tool_call', name: 'save_note', args: { text: note } };
  const colour = available.has(ACCENT_TOOL) ? accentColourIn(question) : undefined;
  if (colour) return { kind: 'tool_call', name: ACCENT_TOOL, args: { color: colour } };
  if (available.has('current_time') && TIME_QUESTION.test(question)) {
    return { kind: 'tool_call', name: 'current_time', args: { time_zone: timeZoneFor(question) } };
  }
  const expression = available.has('calculator') ? extractExpression(question, previousResult(messages)) : undefined;
  if (expression) return { kind: 'tool_call', name: 'calculator', args: { expression } };
  return {
    kind: 'text',
    text: OFFLINE_NOTICE,
    suggestions: ['What is 12 * (3 + 4)?', 'What time is it in Tokyo?', 'Save a note: buy milk'],
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class OfflineChatModel extends BaseChatModel<OfflineCallOptions> {
  readonly tokenDelayMs: number;

  constructor(params: OfflineChatModelParams = {}) {
    super(params);
    this.tokenDelayMs = params.tokenDelayMs ?? 0;
  }

  static override lc_name() {
    return 'OfflineChatModel';
  }

  override _llmType() {
    return 'offline';
  }

  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<OfflineCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, OfflineCallOptions> {
    return this.withConfig({ tools, ...kwargs });
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const available = toolNames(options.tools);
    const reply = decideReply(messages, available);
    // A model "thinks" before its first chunk; the pause also makes streaming visible in the demo.
    await sleep(this.tokenDelayMs * 3, options.signal);
    for (const message of chunksOf(reply, available.has(SUGGEST_TOOL))) {
      const text = typeof message.content === 'string' ? message.content : '';
      const chunk = new ChatGenerationChunk({ message, text });
      yield chunk;
      await runManager?.handleLLMNewToken(text, undefined, undefined, undefined, undefined, { chunk });
      if (this.tokenDelayMs > 0) await sleep(this.tokenDelayMs, options.signal);
    }
  }

  async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    let whole: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) {
      whole = whole ? whole.concat(chunk) : chunk;
    }
    const message = whole?.message ?? new AIMessageChunk({ content: '' });
    return {
      generations: [
        {
          text: whole?.text ?? '',
          message: new AIMessage({
            content: message.content,
            tool_calls: (message as AIMessageChunk).tool_calls ?? [],
            id: message.id,
          }),
        },
      ],
    };
  }
}

/** A tool call as a streaming provider sends it: the name and id first, then the arguments' JSON in pieces. */
function callChunks(name: string, args: object, index: number): AIMessageChunk[] {
  const id = `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const json = JSON.stringify(args);
  const cut = Math.ceil(json.length / 2);
  return [{ name, id, args: '' }, { args: json.slice(0, cut) }, { args: json.slice(cut) }].map(
    (part) => new AIMessageChunk({ content: '', tool_call_chunks: [{ type: 'tool_call_chunk', index, ...part }] }),
  );
}

/** Splits a reply into the chunks a streaming provider would send; suggestions go last, as a call of the suggestions tool. */
function chunksOf(reply: Reply, canSuggest: boolean): AIMessageChunk[] {
  if (reply.kind === 'tool_call') return callChunks(reply.name, reply.args, 0);
  // Words with their trailing space, like the tokens of a real model.
  const words = (reply.text.match(/\S+\s*/g) ?? []).map((token) => new AIMessageChunk({ content: token }));
  const suggest =
    canSuggest && reply.suggestions?.length ? callChunks(SUGGEST_TOOL, { items: reply.suggestions }, 1) : [];
  return [...words, ...suggest];
}
