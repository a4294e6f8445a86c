import type { RunErrorMetadata } from '../../protocol/ag-ui.ts';
import { AgentRuntimeError, MalformedUpstreamError } from '../../protocol/agent-events.ts';
import { type ChatError, type ChatErrorCode, chatError } from '../../protocol/chat-errors.ts';
import { agentError } from '../../protocol/mapping.ts';
import { type SseMessage, dataFrame } from '../../protocol/sse.ts';
import { IncompleteUpstreamError, RunCancelled, describeUpstreamError } from './relay.ts';
import type { RunWire } from './run-wire.ts';
import type { OnUpstreamFailure } from './start-run.ts';
import { isPlainObject } from '../../protocol/json.ts';

/**
 * The AG-UI stream of `POST /v1/agui`: the agent's AG-UI events relayed as they arrive, each checked
 * just enough to guarantee the client a well-formed stream — one JSON object with a `type` per
 * `data:` line, error text that is never an upstream's own, and exactly one RUN_FINISHED or
 * RUN_ERROR at the end. Everything else (the event's fields, their order) is the agent's word, passed
 * on as it was written: the relay parses each event once and re-encodes nothing but the last event
 * when it does not start with its `type` (readers and the run store tell the last frame by its start).
 */

/** One AG-UI event on its way to the client: its type and its JSON (one line); a RUN_ERROR's code too. */
export interface AgUiFrame {
  type: string;
  json: string;
  code?: string;
}

/**
 * AgentCore reports its own failures in an AGUI runtime's stream as RUN_ERROR with upper-case codes
 * ("AGENT_ERROR": "Agent execution failed"); these are their Wire 2 equivalents. An upper-case code
 * not listed here is, like any code neither ours nor listed, `agent_error`.
 */
const AGENTCORE_CODES: Record<string, ChatErrorCode> = { AGENT_ERROR: 'agent_failed' };

/** A RUN_ERROR the client may see: one of ours, with its code's own sentence, and whether to try again (RunErrorMetadata). */
function runError({ code, message, retryable }: ChatError, timestamp: number | undefined = Date.now()): AgUiFrame {
  const metadata: RunErrorMetadata = { retryable };
  return { type: 'RUN_ERROR', json: JSON.stringify({ type: 'RUN_ERROR', code, message, metadata, timestamp }), code };
}

/** The run's ids as the client named them, which RUN_STARTED and RUN_FINISHED carry. */
export interface AgUiRunIds {
  threadId: string;
  runId: string;
}

/** RUN_FINISHED of a run that was cancelled (its cancel endpoint, or nobody read it for the grace period). */
const cancelled = ({ threadId, runId }: AgUiRunIds, timestamp: number | undefined = Date.now()): AgUiFrame => ({
  type: 'RUN_FINISHED',
  json: JSON.stringify({ type: 'RUN_FINISHED', threadId, runId, outcome: { type: 'cancelled' }, timestamp }),
});

const isTerminal = (type: string) => type === 'RUN_FINISHED' || type === 'RUN_ERROR';

/** How an AG-UI run is written for its readers and in the run store (run-wire.ts): one `data:` line per event. */
export function agUiWire(ids: AgUiRunIds): RunWire<AgUiFrame> {
  const frame = ({ json }: AgUiFrame) => dataFrame(json);
  return {
    frame,
    isFinal: ({ type }) => isTerminal(type),
    endings: {
      lost: [frame(runError(chatError('run_lost'), undefined))],
      cancelled: [frame(cancelled(ids, undefined))],
    },
  };
}

/** An upstream's RUN_ERROR, allowlisted: our agent's codes with their sentences, AgentCore's mapped, anything else `agent_error`. */
function upstreamRunError(code: unknown): AgUiFrame {
  if (typeof code === 'string' && Object.hasOwn(AGENTCORE_CODES, code))
    return runError(chatError(AGENTCORE_CODES[code]!));
  return runError(agentError(typeof code === 'string' ? code : ''));
}

/**
 * One upstream SSE message as an AG-UI event to pass on; undefined for what carries none (an
 * `event:`-named message AG-UI does not have). Throws MalformedUpstreamError for data that is not a
 * JSON object with a `type`, and AgentRuntimeError for the runtime's own `error` event.
 */
export function readAgUiEvent({ event, data }: SseMessage): AgUiFrame | undefined {
  if (event !== 'message') {
    if (event === 'error') throw new AgentRuntimeError('The agent runtime reported an error mid-stream');
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new MalformedUpstreamError('An upstream AG-UI event is not JSON');
  }
  if (!isPlainObject(parsed) || typeof parsed.type !== 'string' || !parsed.type)
    throw new MalformedUpstreamError('An upstream AG-UI event is not an object with a type');
  const { type } = parsed;
  if (type === 'RUN_ERROR') return upstreamRunError(parsed.code);
  // The data of several `data:` lines is joined with LF; one line is what the client reads. The last
  // event starts with its type, as everything downstream expects (see run-wire.ts, endsRun).
  const typeFirst = !isTerminal(type) || data.startsWith(`{"type":"${type}"`);
  if (typeFirst && !data.includes('\n')) return { type, json: data };
  try {
    return { type, json: JSON.stringify(typeFirst ? parsed : { type, ...parsed }) };
  } catch {
    // Nested deeper than JSON.stringify's stack allows.
    throw new MalformedUpstreamError('An upstream AG-UI event cannot be re-encoded');
  }
}

/**
 * Whether an upstream message is the run's last, read cheaply (it is asked of every message):
 * events are written with `type` first, as the agent, AgentCore and @ag-ui/encoder all do. A miss
 * only costs the connection's reuse.
 */
export const isAgUiLast = ({ data }: SseMessage) => /^\{\s*"type"\s*:\s*"RUN_(?:FINISHED|ERROR)"/.test(data);

/**
 * The client's stream for one run: each upstream event as it arrives (checked, errors
 * allowlisted), up to and including RUN_FINISHED or RUN_ERROR, after which it stops reading. Never
 * throws: a failure — the upstream's, the network's, AgentCore's, or the BFF's own stop — becomes a
 * RUN_ERROR with a Wire 2 code and sentence, after the events that arrived intact; so does an
 * upstream that ends without a last event. A cancelled run ends with RUN_FINISHED and the outcome
 * `cancelled`, as the agent ends one whose caller hung up. `onFailure` sees the original error (for
 * the log).
 */
export async function* relayAgUi(
  upstream: () => AsyncIterable<readonly SseMessage[]>,
  ids: AgUiRunIds,
  onFailure?: OnUpstreamFailure,
): AsyncGenerator<AgUiFrame[]> {
  try {
    for await (const messages of upstream()) {
      const frames: AgUiFrame[] = [];
      let failure: unknown;
      for (const message of messages) {
        try {
          const frame = readAgUiEvent(message);
          if (!frame) continue;
          frames.push(frame);
          if (isTerminal(frame.type)) return yield frames;
        } catch (error) {
          failure = error;
          break;
        }
      }
      if (frames.length) yield frames;
      if (failure) throw failure;
    }
    throw new IncompleteUpstreamError('The agent stream ended before RUN_FINISHED or RUN_ERROR');
  } catch (error) {
    if (error instanceof RunCancelled) return yield [cancelled(ids)];
    const described = describeUpstreamError(error);
    onFailure?.(error, described);
    yield [runError(described)];
  }
}
