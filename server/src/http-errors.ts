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

/** The HttpError for a failure of express.json (body-parser), which marks its errors with `type`. */
export function bodyParserError(error: unknown, limitBytes: number): HttpError | undefined {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  switch (type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'invalid_json', 'The body is not valid JSON: send an object like {"message": "Hello"}.');
    case 'entity.too.large':
      return new HttpError(413, 'body_too_large', `The body must be at most ${limitBytes} bytes.`);
    case 'encoding.unsupported':
      return new HttpError(415, 'unsupported_encoding', 'Send the body uncompressed, without a Content-Encoding.');
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_charset', 'Send the body as UTF-8.');
    case 'request.aborted':
      return new HttpError(400, 'request_aborted', 'The request body was cut off.');
    case 'request.size.invalid':
      return new HttpError(400, 'invalid_body_size', 'The body does not match its Content-Length.');
  }
  if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'bad_request', 'The request body could not be read.');
  }
  return undefined;
}
