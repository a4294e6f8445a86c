import { IncomingMessage, type Server, ServerResponse, createServer } from 'node:http';
import type { Express } from 'express';

/**
 * Node's HTTP server for `app`, its requests and responses made with Express's prototypes from the
 * start. `app.listen()` lets Node make plain ones, which Express then re-prototypes on every request
 * (`Object.setPrototypeOf`), and V8 keeps objects changed that way alive through young-generation
 * collections: each request's objects were copied and promoted to the old generation instead of
 * dying young — about 1.1 MB per scavenge where a plain server promotes 5 KB — so each collection
 * that lands mid-request took longer (bench:ttfe measures it). Express finds the prototype it would
 * set already there, and does nothing.
 */
export function createHttpServer(app: Express): Server {
  // Plain constructor functions, as Node's own are, so the prototype can be Express's object itself.
  function Request(this: IncomingMessage, ...args: ConstructorParameters<typeof IncomingMessage>): void {
    Reflect.apply(IncomingMessage, this, args);
  }
  Request.prototype = app.request;
  function Response(this: ServerResponse, ...args: ConstructorParameters<typeof ServerResponse>): void {
    Reflect.apply(ServerResponse, this, args);
  }
  Response.prototype = app.response;
  return createServer(
    {
      IncomingMessage: Request as unknown as typeof IncomingMessage,
      ServerResponse: Response as unknown as typeof ServerResponse,
    },
    app,
  );
}
