import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * One run at a time, each with its own AbortController, which is also its identity: a run that
 * is no longer `current` (the conversation was cleared, another run started) must not write to
 * the transcript. When the element leaves the page its read stops and the run goes stale, its turn
 * left as it was: the answer goes on at the BFF, and the element (or the next page's) reads on.
 */
export class RunController implements ReactiveController {
  private run: AbortController | undefined;
  private readonly host: ReactiveControllerHost;

  constructor(host: ReactiveControllerHost) {
    (this.host = host).addController(this);
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  /** Starts a run, aborting and forgetting the previous one. */
  start(): AbortController {
    this.forget();
    return (this.run = new AbortController());
  }

  isCurrent(run: AbortController): boolean {
    return this.run === run;
  }

  /** The run ended: it is no longer running, whatever it writes last. */
  end(run: AbortController): void {
    if (this.run === run) this.run = undefined;
  }

  /** Aborts the current run, which still reports how it ended. */
  abort(): void {
    this.run?.abort();
  }

  /** Aborts the current run and makes it stale: it writes nothing more. */
  forget(): void {
    this.abort();
    this.run = undefined;
  }

  hostDisconnected(): void {
    this.forget();
  }

  // Back on a page: an update lets the element read on.
  hostConnected(): void {
    this.host.requestUpdate();
  }
}
