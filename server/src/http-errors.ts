import { CHAT_ERRORS, type HttpErrorCode, chatError } from '../../protocol/chat-errors.ts';
import type { ErrorBody } from '../../protocol/chat-events.ts';

/** A request refused before any stream opens: answered with the code's status as `{"error": {code, message}}`. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  /** `params` fill in the code's sentence (protocol/chat-errors.ts). */
  constructor(code: HttpErrorCode, params?: Record<string, string | number>) {
    super(chatError(code, params).message);
    this.status = CHAT_ERRORS[code].status;
    this.code = code;
  }

  get body(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** The HttpError for a failure of express.json (body-parser), which marks its errors with `type` (and the route's `limit`). */
export function bodyParserError(error: unknown): HttpError | undefined {
  const { type, status, limit } = (error ?? {}) as { type?: unknown; status?: unknown; limit?: unknown };
  switch (type) {
    case 'entity.parse.failed':
      return new HttpError('invalid_json');
    case 'entity.too.large':
      return new HttpError('body_too_large', { max: Number(limit) });
    case 'encoding.unsupported':
      return new HttpError('unsupported_encoding');
    case 'charset.unsupported':
      return new HttpError('unsupported_charset');
    case 'request.aborted':
      return new HttpError('request_aborted');
    case 'request.size.invalid':
      return new HttpError('invalid_body_size');
  }
  if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500)
    return new HttpError('unreadable_body');
  return undefined;
}
