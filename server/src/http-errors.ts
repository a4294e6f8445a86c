import type { ErrorBody } from '../../protocol/chat-events.ts';

/** A request we refuse before any stream opens: answered as `{"error": {code, message}}`. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }

  get body(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
