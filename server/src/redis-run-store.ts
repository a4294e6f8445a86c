import { randomBytes } from 'node:crypto';
import { type CommandParser, ErrorReply, createClient, defineScript } from '@redis/client';
import type { Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import type { ActiveRuns } from './active-runs.ts';
import { HttpError } from './http-errors.ts';
import type { Logger } from './logger.ts';
import { CANCELLED, RunStopped } from './relay.ts';
import type { Run } from './run.ts';
import type { RunReader } from './run-reader.ts';
import type { CancelOutcome, RunSource, RunStore } from './run-store.ts';
import { CHAT_WIRE, type RunEndings, endsRun } from './run-wire.ts';

/**
 * How long a run's lease and its conversation's lock last without renewal: the longest a dead
 * instance's runs look alive, and its conversations stay locked. Renewed every RENEW_MS, a third of
 * it, so two missed renewals (a pause, a slow Redis) are not a death.
 */
export const LEASE_MS = 5000;
const RENEW_MS = LEASE_MS / 3;
/**
 * How long a batch may wait to be appended, so that a run streaming token by token makes one append
 * for several (fewer Redis round trips and less CPU on both sides); `done` goes at once. Readers here
 * never wait for it; readers on other instances get the run this much later at most.
 */
const APPEND_LINGER_MS = 50;
/** Entries read per XRANGE while a reader catches up. */
const CATCH_UP_COUNT = 256;

/**
 * The Redis layout. Everything of one run shares the hash tag `{<run id>}` (one slot), a
 * conversation's lock is keyed by its runtime session id (an HMAC: no browser id in Redis).
 *
 *   agent-chat:run:{R}          hash: owner (the `sub`, "" anonymous), state (live | done), last (seq), cancel,
 *                               endings (JSON RunEndings: the frames that end it if its instance is gone, by its wire)
 *   agent-chat:run:{R}:events   stream: one entry per batch, id `<last seq>-0`, field f = the batch's SSE frames
 *   agent-chat:run:{R}:lease    the relaying instance's id, PX LEASE_MS, renewed while it relays
 *   agent-chat:run:{R}:watched  set while readers on other instances read it (keeps it past RESUME_GRACE_MS)
 *   agent-chat:lock:{C}         the run holding conversation C, PX LEASE_MS, renewed with the lease
 *   agent-chat:rate:<limit>:…   rate-limit-redis's counters
 *   channel agent-chat:run:{R}  each batch's frames as appended (readers on other instances)
 *   channel agent-chat:cancel   run ids to stop, for whichever instance relays them
 */
const keys = (id: string) => {
  const run = `agent-chat:run:{${id}}`;
  return { meta: run, events: `${run}:events`, lease: `${run}:lease`, watched: `${run}:watched`, channel: run };
};
const lockKey = (conversation: string) => `agent-chat:lock:{${conversation}}`;
const CANCEL_CHANNEL = 'agent-chat:cancel';

/** Appends a batch to a live run and publishes it; the last batch ends it. 1: done; 0: the run was ended elsewhere; -1: Redis has no such run (it lost its data). */
const append = defineScript({
  NUMBER_OF_KEYS: 3,
  SCRIPT: `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return -1 end
if state ~= 'live' then return 0 end
local last = tonumber(ARGV[1])
local before = tonumber(redis.call('HGET', KEYS[1], 'last'))
if last <= before then return 1 end
redis.call('XADD', KEYS[2], last .. '-0', 'f', ARGV[2])
redis.call('HSET', KEYS[1], 'last', last)
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], 'state', 'done')
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  redis.call('DEL', KEYS[3])
elseif before == 0 then
  redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
end
redis.call('PUBLISH', KEYS[1], ARGV[2])
return 1`,
  parseCommand(parser: CommandParser, id: string, last: number, frames: string, final: boolean, retentionMs: number) {
    const k = keys(id);
    parser.pushKeys([k.meta, k.events, k.lease]);
    parser.push(String(last), frames, final ? '1' : '0', String(retentionMs));
  },
  transformReply: (reply: unknown) => reply as number,
});

/**
 * Ends a live run whose relaying instance is gone (no lease) with the given frames (its wire's
 * RunEndings: lost, or cancelled). 1 when it did; 0 when the run is still relayed or already over.
 */
const endOrphan = defineScript({
  NUMBER_OF_KEYS: 3,
  SCRIPT: `
if redis.call('HGET', KEYS[1], 'state') ~= 'live' then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'last'))
local frames = ''
for i = 3, #ARGV do
  last = last + 1
  frames = frames .. 'id: ' .. ARGV[1] .. ':' .. last .. '\\n' .. ARGV[i]
end
redis.call('XADD', KEYS[2], last .. '-0', 'f', frames)
redis.call('HSET', KEYS[1], 'last', last, 'state', 'done')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PUBLISH', KEYS[1], frames)
return 1`,
  parseCommand(parser: CommandParser, id: string, retentionMs: number, bodies: string[]) {
    const k = keys(id);
    parser.pushKeys([k.meta, k.events, k.lease]);
    parser.push(id, String(retentionMs), ...bodies);
  },
  transformReply: (reply: unknown) => reply as number,
});

/** Renews a lock held by `holder`, or releases it (`ms` 0); 0 when someone else holds it. */
const renewLock = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`,
  parseCommand(parser: CommandParser, conversation: string, holder: string, ms: number) {
    parser.pushKey(lockKey(conversation));
    parser.push(holder, String(ms));
  },
  transformReply: (reply: unknown) => reply as number,
});

/** A run's endings as its hash holds them; Wire 2's for a run written without (an older instance's). */
const endingsOf = (json: string | null | undefined): RunEndings => (json ? JSON.parse(json) : CHAT_WIRE.endings);

const LOST = new RunStopped('run_lost');

function connect(url: string) {
  return createClient({
    url,
    // Commands fail at once while the connection is down (the BFF goes on without Redis), instead of
    // waiting in a queue for a reconnection that may be minutes away.
    disableOfflineQueue: true,
    // A Redis that stops answering without closing the connection is noticed too.
    pingInterval: 5000,
    socket: { connectTimeout: 5000, socketTimeout: 15_000 },
    scripts: { append, endOrphan, renewLock },
  });
}
type Client = ReturnType<typeof connect>;

/** A run relayed here, as Redis knows it: what is written, what waits to be. */
interface Shared {
  run: Run;
  /** The batch being appended (retried as is until it is in: a retry appends nothing twice). */
  sending: { frames: string; last: number; final: boolean } | undefined;
  /** The appends on their way. */
  flight: Promise<void> | undefined;
  /** The append waiting for APPEND_LINGER_MS to pass. */
  linger: NodeJS.Timeout | undefined;
  /** Frames recorded since, joined into one append when `sending` is in. */
  waiting: string[];
  final: boolean;
  /** The relay is over: the lock goes once the last batch is in. */
  ended: boolean;
  /** False when Redis did not have this run (down when it started, or its data lost): nothing more is written. */
  kept: boolean;
}

/** A batch's first and last sequence numbers, and whether it ends with the run's last event. */
function span(frames: string, id: string): { first: number; last: number; final: boolean } {
  const first = Number(frames.slice(id.length + 5, frames.indexOf('\n')));
  const at = frames.lastIndexOf('\n\nid: ');
  const start = at < 0 ? 0 : at + 2;
  const idEnd = frames.indexOf('\n', start);
  const last = Number(frames.slice(start + id.length + 5, idEnd));
  return { first, last, final: endsRun(frames, idEnd + 1) };
}

/**
 * Runs in Redis, shared by every BFF instance: the run's batches in a stream (one XADD per batch,
 * not per event), a lease the relaying instance renews, the conversation's lock as a lease too, the
 * rate limits' counts, and two pub/sub channels — a run's batches, for readers on other instances,
 * and cancellations, for the instance that relays the run.
 *
 * The instance relaying a run feeds the readers it has itself straight from memory (Run): nothing
 * of the live path waits for Redis. Readers of a run relayed elsewhere subscribe to its channel and
 * catch up from its stream (RemoteReading). Two connections per instance, whatever the number of
 * runs and readers: one for commands, one for subscriptions.
 *
 * Redis unavailable: a run goes on and its readers here get every event, but it cannot be read
 * elsewhere; batches not yet appended are retried, and appended once Redis is back. Locks and rate
 * limits let requests through (fail open), and resumes and cancels of runs relayed elsewhere get 503
 * `resume_unavailable`. Said once in the log when it happens, once when it is over.
 */
export class RedisRunStore implements RunStore {
  private readonly client: Client;
  private readonly subscriber: Client;
  private readonly runs: ActiveRuns;
  private readonly retentionMs: number;
  /** The longest a live run may exist in Redis with nobody renewing it: its whole allowed duration, then retention. */
  private readonly liveTtlMs: number;
  private readonly logger: Logger;
  private readonly instance = randomBytes(8).toString('hex');
  private readonly shared = new Map<Run, Shared>();
  /** Runs relayed elsewhere that readers here read, by run id. */
  private readonly remote = new Map<string, Set<RemoteReading>>();
  private readonly ticker: NodeJS.Timeout;
  private available = true;
  /** A round of renewals is on its way. */
  private ticking = false;

  private constructor(client: Client, subscriber: Client, options: RedisRunStoreOptions) {
    this.client = client;
    this.subscriber = subscriber;
    this.runs = options.runs;
    this.retentionMs = options.retentionMs;
    this.liveTtlMs = options.maxDurationMs + options.retentionMs;
    this.logger = options.logger;
    for (const c of [client, subscriber]) c.on('error', (error: unknown) => this.unavailable(error));
    client.on('ready', () => this.availableAgain());
    // Batches published while the subscription was down were missed: every remote reader catches up.
    subscriber.on('ready', () => {
      for (const readings of this.remote.values()) for (const reading of readings) reading.catchUp();
    });
    this.ticker = setInterval(() => void this.tick(), RENEW_MS);
    this.ticker.unref();
  }

  /** Connects (waiting as long as Redis takes to answer: the BFF does not listen before) and subscribes to cancellations. */
  static async connect(url: string, options: RedisRunStoreOptions): Promise<RedisRunStore> {
    const client = connect(url);
    const subscriber = client.duplicate();
    const waiting = setTimeout(() => options.logger.warn({ redis: redacted(url) }, 'waiting for Redis'), 2000);
    const store = new RedisRunStore(client, subscriber, options);
    await Promise.all([client.connect(), subscriber.connect()]);
    clearTimeout(waiting);
    await subscriber.subscribe(CANCEL_CHANNEL, (id) => store.runs.get(id)?.stop(CANCELLED));
    return store;
  }

  async start(run: Run): Promise<boolean> {
    const shared: Shared = {
      run,
      sending: undefined,
      flight: undefined,
      linger: undefined,
      waiting: [],
      final: false,
      ended: false,
      kept: false,
    };
    this.shared.set(run, shared);
    const k = keys(run.id);
    try {
      const locked = await this.client.set(lockKey(run.conversation), run.id, { NX: true, PX: LEASE_MS });
      if (locked === null) {
        this.shared.delete(run);
        return false;
      }
      await this.client
        .multi()
        .hSet(k.meta, { owner: run.owner ?? '', state: 'live', last: '0', endings: JSON.stringify(run.wire.endings) })
        .pExpire(k.meta, this.liveTtlMs)
        .set(k.lease, this.instance, { PX: LEASE_MS })
        .exec();
      shared.kept = true;
    } catch (error) {
      // Fail open: the run goes on, readable here only (see the class comment).
      this.failed(error);
    }
    return true;
  }

  recorded(run: Run, frames: string, final: boolean): void {
    const shared = this.shared.get(run);
    if (!shared?.kept) return;
    shared.waiting.push(frames);
    shared.final ||= final;
    if (final) void this.send(shared);
    else if (!shared.flight) shared.linger ??= setTimeout(() => void this.send(shared), APPEND_LINGER_MS);
  }

  async readElsewhere(run: Run): Promise<boolean> {
    try {
      return (await this.client.exists(keys(run.id).watched)) === 1;
    } catch (error) {
      this.failed(error);
      return false;
    }
  }

  ended(run: Run): void {
    const shared = this.shared.get(run);
    if (!shared) return;
    shared.ended = true;
    this.releaseWhenWritten(shared);
  }

  async find(runId: string, caller: string | undefined): Promise<RunSource | undefined> {
    const local = this.runs.get(runId);
    if (local) return local.owner === caller ? local : undefined;
    const k = keys(runId);
    let owner: string | null;
    let endings: string | null;
    try {
      [owner, endings] = await this.client.hmGet(k.meta, ['owner', 'endings']);
    } catch (error) {
      this.failed(error);
      throw new HttpError('resume_unavailable');
    }
    if (owner === null || owner !== (caller ?? '')) return undefined;
    return { attach: (reader) => void this.readRemote(runId, reader, endingsOf(endings)) };
  }

  async cancel(runId: string, caller: string | undefined): Promise<CancelOutcome> {
    const local = this.runs.get(runId);
    if (local && local.owner === caller) {
      if (local.done) return 'over';
      local.stop(CANCELLED);
      return 'cancelling';
    }
    const k = keys(runId);
    try {
      const [owner, state, endings] = await this.client.hmGet(k.meta, ['owner', 'state', 'endings']);
      if (owner === null || owner !== (caller ?? '')) return 'unknown';
      if (state !== 'live') return 'over';
      // The flag is for an instance that misses the message (checked with each renewal).
      await this.client.multi().hSet(k.meta, 'cancel', '1').publish(CANCEL_CHANNEL, runId).exec();
      // Nobody relays it any more: end it here.
      await this.client.endOrphan(runId, this.retentionMs, endingsOf(endings).cancelled);
      return 'cancelling';
    } catch (error) {
      this.failed(error);
      throw new HttpError('resume_unavailable');
    }
  }

  rateLimitStore(name: string): Store {
    return new RedisStore({
      prefix: `agent-chat:rate:${name}:`,
      sendCommand: async (...args: string[]) => {
        try {
          return await this.client.sendCommand(args);
        } catch (error) {
          this.failed(error);
          throw error;
        }
      },
    });
  }

  /** Lets go of remote readers (they reconnect elsewhere), makes one more attempt at what is not written yet, and disconnects. */
  async close(): Promise<void> {
    clearInterval(this.ticker);
    for (const readings of this.remote.values()) for (const reading of readings) reading.close();
    this.remote.clear();
    await Promise.allSettled([...this.shared.values()].map((shared) => this.send(shared)));
    await Promise.allSettled([this.subscriber.close(), this.client.close()]);
  }

  /** Appends what waits, one batch at a time (all callers share the appends on their way); what fails is retried by the next tick. */
  private send(shared: Shared): Promise<void> {
    clearTimeout(shared.linger);
    shared.linger = undefined;
    shared.flight ??= this.flush(shared).finally(() => {
      shared.flight = undefined;
      this.releaseWhenWritten(shared);
    });
    return shared.flight;
  }

  private async flush(shared: Shared): Promise<void> {
    const { run } = shared;
    while (shared.kept && (shared.sending || shared.waiting.length)) {
      shared.sending ??= { frames: shared.waiting.join(''), last: run.last, final: shared.final };
      if (shared.waiting.length) shared.waiting = [];
      const { frames, last, final } = shared.sending;
      let result: number;
      try {
        result = await this.client.append(run.id, last, frames, final, this.retentionMs);
      } catch (error) {
        this.failed(error);
        return;
      }
      shared.sending = undefined;
      if (result === -1) {
        // Redis lost the run (restarted without its data): the run goes on, readable here only.
        shared.kept = false;
        shared.waiting = [];
        this.logger.warn({ run_id: run.id }, 'Redis no longer has this run: it cannot be resumed elsewhere');
      } else if (result === 0) {
        // Ended elsewhere as lost (this instance's lease ran out): its readers here end the same way.
        run.stop(LOST);
      }
    }
  }

  /** Once the relay is over and its last batch is in (or never will be), the conversation's lock goes. */
  private releaseWhenWritten(shared: Shared): void {
    if (!shared.ended || (shared.kept && (shared.flight || shared.sending || shared.waiting.length))) return;
    this.shared.delete(shared.run);
    this.client.renewLock(shared.run.conversation, shared.run.id, 0).catch((error: unknown) => this.failed(error));
  }

  /** Every RENEW_MS: the leases and locks of the runs relayed here, cancellations missed, and the runs read here but relayed elsewhere. */
  private async tick(): Promise<void> {
    // A Redis that takes connections but does not answer: one round waits for it, not a pile of them.
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.renewAll();
    } finally {
      this.ticking = false;
    }
  }

  private async renewAll(): Promise<void> {
    const work: Promise<unknown>[] = [];
    for (const shared of this.shared.values()) {
      const { run } = shared;
      if (!shared.kept) continue;
      work.push(this.send(shared));
      if (run.done) continue;
      const k = keys(run.id);
      work.push(
        this.client.renewLock(run.conversation, run.id, LEASE_MS),
        this.client.set(k.lease, this.instance, { PX: LEASE_MS }),
        this.client.hGet(k.meta, 'cancel').then((flag) => flag && run.stop(CANCELLED)),
      );
    }
    for (const [id, readings] of this.remote) {
      const [reading] = readings;
      if (!reading) continue;
      work.push(
        this.client.set(keys(id).watched, this.instance, { PX: LEASE_MS }),
        this.client.endOrphan(id, this.retentionMs, reading.endings.lost),
      );
    }
    for (const result of await Promise.allSettled(work)) {
      if (result.status === 'rejected') return this.failed(result.reason);
    }
  }

  private async readRemote(id: string, reader: RunReader, endings: RunEndings): Promise<void> {
    const reading = new RemoteReading(id, reader, endings, this.client, (error) => this.failed(error));
    let readings = this.remote.get(id);
    if (!readings) this.remote.set(id, (readings = new Set()));
    readings.add(reading);
    reader.onClose(() => {
      readings.delete(reading);
      void this.subscriber.unsubscribe(keys(id).channel, reading.onMessage).catch(() => {});
      if (readings.size === 0 && this.remote.get(id) === readings) this.remote.delete(id);
    });
    try {
      // Subscribed before catching up, so no batch falls between the two.
      await this.subscriber.subscribe(keys(id).channel, reading.onMessage);
      await this.client.set(keys(id).watched, this.instance, { PX: LEASE_MS });
      // Its instance may be gone already: then it ends here, now, rather than at the next tick.
      await this.client.endOrphan(id, this.retentionMs, endings.lost);
    } catch (error) {
      this.failed(error);
      reading.close();
      return;
    }
    reading.catchUp();
  }

  /** A command failed: Redis is unreachable (said once), or — a bug — refused it. */
  private failed(error: unknown): void {
    if (error instanceof ErrorReply) this.logger.error({ error: String(error) }, 'Redis refused a command');
    else this.unavailable(error);
  }

  private unavailable(error: unknown): void {
    if (!this.available) return;
    this.available = false;
    this.logger.error(
      { error: String(error) },
      'Redis unavailable: runs go on but cannot be resumed elsewhere; locks and rate limits are not enforced until it is back',
    );
  }

  private availableAgain(): void {
    if (this.available) return;
    this.available = true;
    this.logger.info('Redis available again');
  }
}

export interface RedisRunStoreOptions {
  runs: ActiveRuns;
  retentionMs: number;
  maxDurationMs: number;
  logger: Logger;
}

/** A Redis URL for the log: without its password. */
function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.href;
}

/**
 * One reader of a run relayed by another instance. Live, it writes each batch the channel brings;
 * behind (just attached, its socket full, a gap, the subscription back after a drop), it catches up
 * from the run's stream — holding at most one XRANGE's worth — while it notes the batches the channel
 * brings meanwhile, then takes from those what it still lacks. A batch is appended to the stream and
 * published in one step, so a batch is in the stream or among those noted: never neither.
 */
class RemoteReading {
  private readonly id: string;
  private readonly reader: RunReader;
  /** How the run ends if its instance is gone. */
  readonly endings: RunEndings;
  private readonly client: Client;
  private readonly failed: (error: unknown) => void;
  /** Catching up: batches from the channel wait here. */
  private noted: string[] | undefined;
  /** Skipped a batch while the socket was full: catch up when it drains. */
  private behind = false;

  constructor(id: string, reader: RunReader, endings: RunEndings, client: Client, failed: (error: unknown) => void) {
    this.id = id;
    this.reader = reader;
    this.endings = endings;
    this.client = client;
    this.failed = failed;
    reader.onDrain(() => this.behind && this.catchUp());
  }

  readonly onMessage = (frames: string): void => {
    if (this.noted) this.noted.push(frames);
    else if (!this.reader.ready) this.behind = true;
    else this.take(frames);
  };

  close(): void {
    this.reader.close();
  }

  catchUp(): void {
    if (this.noted || this.reader.closed) return;
    this.noted = [];
    this.behind = false;
    void this.readStream();
  }

  private async readStream(): Promise<void> {
    try {
      for (;;) {
        const entries =
          (await this.client.xRange(keys(this.id).events, `${this.reader.next}-0`, '+', { COUNT: CATCH_UP_COUNT })) ??
          [];
        for (const { message } of entries) if (!this.take(message.f as string)) return;
        if (entries.length < CATCH_UP_COUNT || this.reader.closed) break;
        // A full socket: the rest when it drains.
        if (!this.reader.ready) return void this.wait();
      }
      // Nothing after `next` in a run that is over: the reader asked from its end (Last-Event-ID of its
      // `done`), and no batch will ever come on the channel to end it.
      if (!this.reader.closed) {
        const [state, last] = await this.client.hmGet(keys(this.id).meta, ['state', 'last']);
        if (state === 'done' && Number(last) < this.reader.next) return void this.reader.write('', Number(last), true);
      }
      const noted = this.noted ?? [];
      this.noted = undefined;
      for (const frames of noted) if (!this.take(frames)) return;
    } catch (error) {
      // The reader's client reconnects and resumes from what it has.
      this.failed(error);
      this.noted = undefined;
      this.reader.close();
    }
  }

  private wait(): void {
    this.noted = undefined;
    this.behind = true;
  }

  /** Writes what `frames` (one batch) has that the reader lacks; false once it is done or has a gap. */
  private take(frames: string): boolean {
    const { reader, id } = this;
    if (reader.closed) return false;
    const { first, last, final } = span(frames, id);
    if (last < reader.next) {
      if (final) reader.write('', last, true);
      return !final;
    }
    if (first > reader.next) {
      // A batch went missing (the channel dropped it): from the stream, then.
      if (!this.noted) this.catchUp();
      return false;
    }
    const from = first === reader.next ? 0 : frames.indexOf(`\n\nid: ${id}:${reader.next}\n`) + 2;
    reader.write(from === 0 ? frames : frames.slice(from), last, final);
    return !final;
  }
}
