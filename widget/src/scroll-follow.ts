import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Follows the stream: keeps the newest text in view as the transcript grows, unless the reader
 * scrolled up to read; any move up lets go, back down near the bottom follows again.
 */
export class ScrollFollow implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly log: () => HTMLElement;
  private following = true;
  private lastScrollTop = 0;
  private observed = false;
  private readonly observer = new ResizeObserver(() => {
    if (this.following) this.toBottom();
  });

  /** `log` is the scrolling transcript (its first child holds the messages). */
  constructor(host: ReactiveControllerHost, log: () => HTMLElement) {
    this.host = host;
    this.log = log;
    host.addController(this);
  }

  /** Whether the reader is at the bottom of the transcript, following the stream. */
  get atBottom(): boolean {
    return this.following;
  }

  hostUpdated(): void {
    if (this.observed) return;
    this.observed = true;
    const log = this.log();
    this.observer.observe(log);
    this.observer.observe(log.firstElementChild!);
  }

  /** Follows the stream again (a message was sent). */
  follow(): void {
    this.set(true);
  }

  readonly onScroll = (): void => {
    const { scrollHeight, scrollTop, clientHeight } = this.log();
    // Our own scroll to the bottom: by the time its event comes, more text may have arrived below.
    if (scrollTop === this.lastScrollTop) return;
    const distance = scrollHeight - scrollTop - clientHeight;
    this.set(distance < 2 || (scrollTop > this.lastScrollTop && distance < 40));
    this.lastScrollTop = scrollTop;
  };

  /** "Jump to latest": back to the bottom, following; keyboard focus moves to the transcript it scrolled. */
  readonly jump = (): void => {
    this.set(true);
    this.toBottom();
    this.log().focus();
  };

  private toBottom(): void {
    const log = this.log();
    log.scrollTop = log.scrollHeight;
    this.lastScrollTop = log.scrollTop;
  }

  private set(following: boolean): void {
    if (following === this.following) return;
    this.following = following;
    this.host.requestUpdate();
  }
}
