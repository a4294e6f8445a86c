import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';

/**
 * Chat models for fault injection (the real models are the offline one and Bedrock): one that
 * plays a script, so a test can make a model loop on tools or throw, and one that streams without
 * end until its call is aborted, so a test can see whether cancellation reaches the model.
 */

/** A scripted reply: text, tool calls, or text with tool calls after it (as a model answers and suggests at once). */
export type Turn =
  | { text: string; toolCalls?: Array<{ name: string; args: Record<string, unknown> }> }
  | { toolCalls: Array<{ name: string; args: Record<string, unknown> }> };

abstract class TestChatModel extends BaseChatModel {
  override _llmType() {
    return 'test';
  }

  override bindTools(
    tools: BindToolsInput[],
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, BaseChatModelCallOptions> {
    return this.withConfig({ tools } as Partial<BaseChatModelCallOptions>);
  }

  override async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    let whole: AIMessageChunk | undefined;
    for await (const { message } of this._streamResponseChunks(messages, options)) {
      whole = whole ? whole.concat(message as AIMessageChunk) : (message as AIMessageChunk);
    }
    const message = new AIMessage({ content: whole?.content ?? '', tool_calls: whole?.tool_calls ?? [] });
    return { generations: [{ text: message.text, message }] };
  }
}

/** Plays `reply(messages, call)` on each call (call counts from 1); whatever it throws, the model throws. */
export class ScriptedChatModel extends TestChatModel {
  calls = 0;
  /** The names of the tools the latest call was bound with (LangChain tools and OpenAI-format definitions). */
  bound: string[] = [];
  private readonly reply: (messages: BaseMessage[], call: number) => Turn;

  constructor(reply: (messages: BaseMessage[], call: number) => Turn) {
    super({});
    this.reply = reply;
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const tools = (options as { tools?: BindToolsInput[] }).tools ?? [];
    this.bound = tools.map((t) => (t as { name?: string }).name ?? (t as { function: { name: string } }).function.name);
    const turn = this.reply(messages, ++this.calls);
    const chunks = [
      ...('text' in turn
        ? (turn.text.match(/\S+\s*/g) ?? []).map((token) => new AIMessageChunk({ content: token }))
        : []),
      ...(turn.toolCalls ?? []).map(
        ({ name, args }, index) =>
          new AIMessageChunk({
            content: '',
            tool_call_chunks: [
              { type: 'tool_call_chunk', index, id: `call_${this.calls}_${index}`, name, args: JSON.stringify(args) },
            ],
          }),
      ),
    ];
    for (const message of chunks) {
      const chunk = new ChatGenerationChunk({ message, text: message.text });
      yield chunk;
      await runManager?.handleLLMNewToken(message.text, undefined, undefined, undefined, undefined, { chunk });
    }
  }
}

/**
 * Makes a "tick " every `intervalMs`, pushed by a timer the way a network stream pushes bytes,
 * and stops only when the call's signal aborts, failing the call as an aborted HTTP stream does.
 * A `silent` ticker keeps its ticks to itself, like a model that thinks long before its first
 * token: no event flows, so only the signal can tell it that the caller left.
 * `produced` counts every tick made, `producing` the calls still making them.
 */
export class TickerChatModel extends TestChatModel {
  produced = 0;
  readonly intervalMs: number;
  readonly silent: boolean;
  /** How to stop each call in progress. */
  private readonly calls = new Set<() => void>();

  constructor({ intervalMs = 10, silent = false }: { intervalMs?: number; silent?: boolean } = {}) {
    super({});
    this.intervalMs = intervalMs;
    this.silent = silent;
  }

  get producing(): number {
    return this.calls.size;
  }

  /** Stops every call in progress, whatever happened (test cleanup). */
  halt(): void {
    for (const stop of this.calls) stop();
  }

  override async *_streamResponseChunks(
    _messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let stopped = false;
    const timer = setInterval(() => {
      this.produced++;
      if (this.silent) return;
      queue.push('tick ');
      wake?.();
    }, this.intervalMs);
    const stop = () => {
      clearInterval(timer);
      this.calls.delete(stop);
      stopped = true;
      wake?.();
    };
    this.calls.add(stop);
    options.signal?.addEventListener('abort', stop, { once: true });
    while (true) {
      if (stopped) {
        // Like an aborted HTTP stream, the call then fails with the abort reason.
        options.signal?.throwIfAborted();
        throw new Error('The ticker was halted');
      }
      const token = queue.shift();
      if (token === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const chunk = new ChatGenerationChunk({ message: new AIMessageChunk({ content: token }), text: token });
      yield chunk;
      await runManager?.handleLLMNewToken(token, undefined, undefined, undefined, undefined, { chunk });
    }
  }
}

/** Resolves once `condition` holds, checking every 10 ms; fails after `timeoutMs` (a hang guard, not a speed test). */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
