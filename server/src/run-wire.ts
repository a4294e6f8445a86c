import { chatError } from '../../protocol/chat-errors.ts';
import type { ChatEvent } from '../../protocol/chat-events.ts';
import { sseFrame } from '../../protocol/sse.ts';

/**
 * How a run's events are written for its readers, whatever route started it: Wire 2's (`POST
 * /v1/chat/stream`) or AG-UI's (`POST /v1/agui`). A run keeps its frames as text, so a resume, a
 * reader on another instance and the run store all deal in frames and never need to know the wire
 * — except to tell the last frame, and to end a run whose instance is gone, which this says.
 */
export interface RunWire<E> {
  /** One event's SSE frame, without its `id:` line (the run adds `id: <run id>:<seq>`). */
  frame(event: E): string;
  /** Whether an event is the run's last. */
  isFinal(event: E): boolean;
  /**
   * The frames (without `id:` lines) another instance ends the run with: `lost` when the instance
   * relaying it is gone, `cancelled` when it is cancelled while nobody relays it.
   */
  endings: RunEndings;
}

export interface RunEndings {
  lost: string[];
  cancelled: string[];
}

export const CHAT_WIRE: RunWire<ChatEvent> = {
  frame: ({ event, data }) => sseFrame(event, data),
  isFinal: (e) => e.event === 'done',
  endings: {
    lost: [sseFrame('error', chatError('run_lost')), sseFrame('done', { status: 'error' })],
    cancelled: [sseFrame('done', { status: 'cancelled' })],
  },
};

/**
 * Whether the frame body at `at` in `text` (just after its `id:` line) is a run's last event, on
 * either wire: Wire 2's `done`, AG-UI's RUN_FINISHED or RUN_ERROR (which the AG-UI relay always
 * writes with `type` first).
 */
export const endsRun = (text: string, at: number): boolean =>
  text.startsWith('event: done\n', at) ||
  text.startsWith('data: {"type":"RUN_FINISHED"', at) ||
  text.startsWith('data: {"type":"RUN_ERROR"', at);
