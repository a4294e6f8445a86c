import type { RequestHandler } from 'express';
import { FEEDBACK_COMMENT_MAX_CHARS, type FeedbackRequest, RUN_ID_PATTERN } from '../../protocol/chat-events.ts';
import { HttpError } from './http-errors.ts';
import type { Logger } from './logger.ts';
import { isPlainObject } from '../../protocol/json.ts';
import { unknownKey } from './chat-request.ts';

const FIELDS = new Set(['run_id', 'rating', 'comment']);

/** The largest body a valid feedback can have: the longest comment with every character escaped, and the rest. */
export const FEEDBACK_BODY_MAX_BYTES = FEEDBACK_COMMENT_MAX_CHARS * 6 + 1024;

const bad = (problem: string) => new HttpError('invalid_feedback', { problem });

/** Checks a parsed `POST /v1/chat/feedback` body; each refusal says what was wrong. */
export function parseFeedback(body: unknown): FeedbackRequest {
  if (!isPlainObject(body)) throw new HttpError('invalid_body');
  const unknown = unknownKey(body, FIELDS);
  if (unknown !== undefined) {
    throw new HttpError('unknown_field', {
      field: unknown,
      fields: '"run_id", "rating" and "comment"',
    });
  }
  const { run_id, rating, comment } = body as Record<string, unknown>;
  if (typeof run_id !== 'string' || !RUN_ID_PATTERN.test(run_id))
    throw bad('"run_id" must be the id of the run rated (1-128 of A-Z a-z 0-9 . _ : -)');
  if (rating !== 'up' && rating !== 'down') throw bad('"rating" must be "up" or "down"');
  if (comment !== undefined && typeof comment !== 'string') throw bad('"comment" must be a string');
  if (typeof comment === 'string' && comment.length > FEEDBACK_COMMENT_MAX_CHARS)
    throw bad(`"comment" must be at most ${FEEDBACK_COMMENT_MAX_CHARS} characters`);
  return { run_id, rating, ...(comment?.trim() ? { comment } : {}) };
}

/**
 * `POST /v1/chat/feedback`, once CORS, auth, rate limit and content type have passed: one log line
 * per rating, `{"msg": "feedback", "run_id", "rating", "comment"?}` at info, whose `run_id` is the
 * `request_id` of the rated run's own request line. A rating changed later is a later line. 204.
 */
export function recordFeedback(logger: Logger): RequestHandler {
  return (req, res) => {
    const { run_id, rating, comment } = parseFeedback(req.body);
    logger.info({ run_id, rating, ...(comment === undefined ? {} : { comment }) }, 'feedback');
    res.locals.outcome = 'recorded';
    res.status(204).end();
  };
}
