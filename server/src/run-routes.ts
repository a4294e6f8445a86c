import type { Request, Response } from 'express';
import type { CancelResponse } from '../../protocol/chat-events.ts';
import type { ServerConfig } from './config.ts';
import { HttpError } from './http-errors.ts';
import { RUN_ID } from './run.ts';
import { RunReader } from './run-reader.ts';
import type { RunStore } from './run-store.ts';

export interface RunRouteDeps {
  config: ServerConfig;
  store: RunStore;
}

const EVENT_ID = /^([^:]*):(\d{1,15})$/;
const SEQUENCE = /^\d{1,15}$/;

/**
 * Where a resume starts: after the event named by `Last-Event-ID: <run id>:<seq>` (what an
 * EventSource sends when it reconnects, so it wins), else after `?after=<seq>`, else from the start.
 */
function resumeAfter(req: Request, runId: string): number {
  const lastEventId = req.get('last-event-id');
  if (lastEventId) {
    const match = EVENT_ID.exec(lastEventId);
    if (!match || match[1] !== runId) throw new HttpError('invalid_event_id');
    return Number(match[2]);
  }
  const { after } = req.query;
  if (after === undefined) return 0;
  if (typeof after !== 'string' || !SEQUENCE.test(after)) throw new HttpError('invalid_event_id');
  return Number(after);
}

/** The run the path names, for this caller; 404 for anything else, whether it never was, expired, or is another user's. */
function runIdOf(req: Request): string {
  const { runId } = req.params as { runId: string };
  if (!RUN_ID.test(runId)) throw new HttpError('run_not_found');
  return runId;
}

/**
 * `GET /v1/chat/runs/{runId}/events`: every event of the run after the resume point, then the live
 * ones, closing after `done` — the same SSE, ids and heartbeats as the POST that started it.
 */
export async function readRun(req: Request, res: Response, { config, store }: RunRouteDeps): Promise<void> {
  const runId = runIdOf(req);
  const after = resumeAfter(req, runId);
  const source = await store.find(runId, res.locals.caller?.sub);
  if (!source) throw new HttpError('run_not_found');
  res.locals.runId = runId;
  res.setTimeout(config.streamIdleTimeoutMs);
  source.attach(new RunReader(res, after, config.heartbeatMs));
}

/** `POST /v1/chat/runs/{runId}/cancel`: 202 and the run ends with `done cancelled` wherever it is relayed; 404 if there is no such run. */
export async function cancelRun(req: Request, res: Response, { store }: RunRouteDeps): Promise<void> {
  const runId = runIdOf(req);
  const outcome = await store.cancel(runId, res.locals.caller?.sub);
  if (outcome === 'unknown') throw new HttpError('run_not_found');
  res.locals.runId = runId;
  const body: CancelResponse = { run_id: runId, status: outcome === 'over' ? 'finished' : 'cancelling' };
  res.status(202).json(body);
}
