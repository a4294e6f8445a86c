// A scripted stand-in for the BFF's Wire 2 stream, served by the test runner's dev server, so the
// widget's tests can play exact sequences and faults. The real BFF is driven by the end-to-end test.
// Every event and error is typed by protocol/, and framed by its SSE encoder.
import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import { CHAT_ERRORS, type HttpErrorCode, chatError } from '../../protocol/chat-errors.ts';
import type { ChatEventData, ChatEventName, ChatRequest, ErrorBody } from '../../protocol/chat-events.ts';
import { sseFrame } from '../../protocol/sse.ts';

/** One Wire 2 event, as [name, data]. */
type Step = { [K in ChatEventName]: [K, ChatEventData[K]] }[ChatEventName];

interface Refusal {
  status: number;
  json?: ErrorBody;
  html?: string;
}

interface Scenario {
  events?: Step[];
  /** Events as sent, unchecked: for what a broken or newer BFF might send. */
  raw?: Array<[string, unknown]>;
  /** Pause `pauseMs` after the event with this sequence number. */
  pauseAfter?: number;
  pauseMs?: number;
  /** Hold the stream open after the events until the client goes away. */
  hold?: boolean;
  heartbeats?: boolean;
  /** Cut the connection after the events. */
  drop?: boolean;
  echo?: boolean;
  big?: boolean;
  /** Refuse every odd POST like this. */
  failOdd?: Refusal;
  /** Refuse every POST like this. */
  refuse?: Refusal;
  /** The events as a function of the request's body (a resume's answer, the page's tools). */
  script?: (body: ChatRequest) => Step[];
  /**
   * The whole run, as `GET /scripted/runs/<scenario>/events` resumes it (after Last-Event-ID or
   * `?after=`); the run id in `start` is the scenario's name. Unset: the run is gone (404).
   */
  run?: Step[];
  /** Refuse the first resumes after each POST like these, in turn. */
  resumeRefusals?: Refusal[];
  /** Cut the connection after the events of a POST that answers a pause (`resume`) only. */
  dropAnswers?: boolean;
}

/** The error body the BFF answers for `code` before a stream, with its status. */
function refusal(code: HttpErrorCode, params?: Record<string, string | number>): Refusal {
  const { message } = chatError(code, params);
  return { status: CHAT_ERRORS[code].status, json: { error: { code, message } } };
}

const SEED: Step[] = [
  ['start', { session_id: 's', run_id: 'run' }],
  ['agent_start', { session_id: 's', status: 'started' }],
  ['tool_start', { id: 'call_1', tool: 'calculator', args: { expression: '5+5' } }],
  ['tool_end', { id: 'call_1', tool: 'calculator', result: '10' }],
  ['token', { delta: 'The result ' }],
  ['token', { delta: 'of 5+5 ' }],
  ['token', { delta: 'is 10.' }],
  ['message', { content: 'The result of 5+5 is 10.', partial: true }],
  ['done', { status: 'complete' }],
];

/** Raw SSE text between events: comment heartbeats and events that carry no data. */
const HEARTBEATS = [': ping\n\n', 'data:\n\n', 'event: token\ndata:\n\n', '\n'];

/**
 * The user's message played back as the answer, in tokens of `size` characters every `delay` ms
 * (query parameters), after a tool call whose arguments and result are the message too.
 */
type Query = Record<string, string | string[] | undefined>;

function echo(message: string, query: Query): Step[] {
  const size = Number(query.size ?? 4);
  const tokens: Step[] = [];
  for (let i = 0; i < message.length; i += size) tokens.push(['token', { delta: message.slice(i, i + size) }]);
  return [
    ['start', { session_id: 's', run_id: 'run' }],
    ['tool_start', { id: 'echo_1', tool: 'echo', args: { text: message } }],
    ['tool_end', { id: 'echo_1', tool: 'echo', result: message }],
    ...tokens,
    ['message', { content: message, partial: true }],
    ['done', { status: 'complete' }],
  ];
}

/** An answer of `chars` characters (query), words after the user's message, in tokens of 64 KB. */
function big(message: string, query: Query): Step[] {
  const chars = Number(query.chars ?? 100_000);
  const text = `${message}: ${'lorem ipsum dolor sit amet '.repeat(Math.ceil(chars / 27))}`.slice(0, chars);
  const tokens: Step[] = [];
  for (let i = 0; i < text.length; i += 65_536) tokens.push(['token', { delta: text.slice(i, i + 65_536) }]);
  return [['start', { session_id: 's', run_id: 'run' }], ...tokens, ['done', { status: 'complete' }]];
}

const SAVE = { id: 'call_save', tool: 'save_note', args: { text: 'buy milk' } };
const ACCENT = { id: 'call_accent', tool: 'set_accent_color', args: { color: 'green' } };
const opening: Step[] = [
  ['start', { session_id: 's', run_id: 'run' }],
  ['agent_start', { session_id: 's', status: 'started' }],
];
/** The agent's answer after a call ended: its words, follow-up suggestions, done. */
const answer = (text: string, items: string[] = []): Step[] => [
  ['token', { delta: text }],
  ['message', { content: text, partial: true }],
  ...(items.length ? [['suggestions', { items }] as Step] : []),
  ['done', { status: 'complete' }],
];

/**
 * save_note asks first. A resume runs it (or not) and answers; a new message instead declines it
 * ("moved on") before answering the message.
 */
function approval({ resume }: ChatRequest): Step[] {
  if (resume && 'approved' in resume) {
    const ended: Step = resume.approved
      ? ['tool_end', { ...SAVE, result: 'Saved note 1: buy milk' }]
      : ['tool_end', { ...SAVE, error: `The user declined this call. Their note: "${resume.note ?? ''}"` }];
    return [
      ...opening,
      ended,
      ...answer(resume.approved ? 'I saved your note.' : "OK, I didn't save it.", ['What are my notes?']),
    ];
  }
  return [
    ...opening,
    ['token', { delta: 'Let me save that.' }],
    ['message', { content: 'Let me save that.', partial: true }],
    ['tool_start', SAVE],
    ['approval_request', { ...SAVE, reason: 'Save the note "buy milk"?' }],
    ['done', { status: 'interrupted' }],
  ];
}

/** set_accent_color runs in the page: the resume's outcome is echoed in the tool_end and the answer. */
function pageTool({ resume }: ChatRequest): Step[] {
  if (!resume)
    return [...opening, ['tool_start', ACCENT], ['page_tool_request', ACCENT], ['done', { status: 'interrupted' }]];
  const outcome = 'result' in resume ? { result: resume.result } : { error: 'error' in resume ? resume.error : '' };
  return [
    ...opening,
    ['tool_end', { ...ACCENT, ...outcome }],
    ...answer('result' in resume ? 'Done.' : 'That failed.'),
  ];
}

const SCENARIOS: Record<string, Scenario> = {
  approval: { script: approval },
  'page-tool': { script: pageTool },
  // A new message while the approval waits: the call is declined, then the message answered.
  'moved-on': {
    script: (body) =>
      body.message === 'Save a note: buy milk'
        ? approval(body)
        : [
            ...opening,
            [
              'tool_end',
              { ...SAVE, error: 'Not run: the user moved on to a new message without approving this call.' },
            ],
            ...answer('2+2 is 4.'),
          ],
  },
  // The approved answer's stream drops after its tool_end; the run goes on and reads on to the end.
  'approval-drop': {
    script: (body) => approval(body).slice(0, body.resume ? 3 : undefined),
    dropAnswers: true,
    run: approval({ resume: { id: SAVE.id, approved: true } }),
  },
  // An answer that suggests what to ask next.
  suggest: {
    events: [...SEED.slice(0, -1), ['suggestions', { items: ['What is 6*7?', 'What time is it?'] }], SEED.at(-1)!],
  },
  seed: { events: SEED },
  // Pauses after the first token, so a test can look at (or poke) the widget mid-stream.
  slow: { events: SEED, pauseAfter: 5, pauseMs: 800 },
  // Opens the stream and sends nothing: the agent is thinking until the client goes away.
  silent: { events: [], hold: true },
  // Stops after the first token and holds the stream open until the client goes away.
  hold: { events: SEED.slice(0, 5), hold: true },
  // Comment heartbeats and empty events between the real ones.
  heartbeat: { events: SEED, heartbeats: true },
  // The connection is cut mid-stream, and the run is gone: resuming it finds nothing (404).
  drop: { events: SEED.slice(0, 5), drop: true },
  // The connection is cut before the first event: nothing to resume, a network error.
  'drop-early': { events: [], drop: true },
  // The connection is cut mid-stream; the run goes on, and resuming reads the rest.
  resumable: { events: SEED.slice(0, 5), drop: true, run: SEED },
  // The same, but the first two resumes are refused (the service restarting): the third reads on.
  'resume-flaky': {
    events: SEED.slice(0, 5),
    drop: true,
    run: SEED,
    resumeRefusals: [refusal('resume_unavailable'), { status: 502, html: '<h1>Bad gateway</h1>' }],
  },
  // Holds the stream after the first token, as `hold`, and can be resumed (after a reload) to the end.
  'resume-held': { events: SEED.slice(0, 5), hold: true, run: SEED },
  echo: { echo: true },
  big: { big: true },
  // Two calls at once, answered in the other order, one of them failing.
  parallel: {
    events: [
      ['start', { session_id: 's', run_id: 'run' }],
      ['tool_start', { id: 'call_a', tool: 'calculator', args: { expression: '2*3' } }],
      ['tool_start', { id: 'call_b', tool: 'calculator', args: { expression: '1/0' } }],
      ['tool_end', { id: 'call_b', tool: 'calculator', error: 'Division by zero' }],
      ['tool_end', { id: 'call_a', tool: 'calculator', result: '6' }],
      ['token', { delta: '2*3 is 6; 1/0 has no answer.' }],
      ['done', { status: 'complete' }],
    ],
  },
  'agent-error': {
    events: [
      ['start', { session_id: 's', run_id: 'run' }],
      ['agent_start', { session_id: 's', status: 'started' }],
      ['error', chatError('throttled')],
      ['done', { status: 'error' }],
    ],
  },
  // A known event without the field its type requires, after a good one.
  malformed: { raw: [...SEED.slice(0, 5), ['token', { text: 'no delta' }], ...SEED.slice(5)] },
  // Events this widget does not know (a newer BFF's), between known ones: skipped.
  'unknown-events': { raw: [...SEED.slice(0, 4), ['reasoning_delta', { id: 'x' }], ...SEED.slice(4)] },
  // A BFF from before runs were kept: `start` without `run_id`.
  'no-run-id': { raw: [['start', { session_id: 's' }], ...SEED.slice(1)] },
  // The connection ends before `done`; the run goes on, and resuming reads the rest.
  cut: { events: SEED.slice(0, 5), run: SEED },
  // The same, but what answers the resume is a web page, not a stream: that is not worth another try.
  'cut-unreadable': {
    events: SEED.slice(0, 5),
    run: SEED,
    resumeRefusals: [{ status: 200, html: '<h1>Sign in</h1>' }],
  },
  // Every odd POST is refused with a 503, every even one answers: a retry succeeds.
  flaky: { events: SEED, failOdd: refusal('shutting_down') },
  'bad-request': { refuse: refusal('message_too_long', { max: 16000 }) },
  'html-500': { refuse: { status: 500, html: '<h1>Bad gateway</h1>' } },
  // 200, but a web page instead of a stream (a proxy's login page, say).
  'wrong-type': { refuse: { status: 200, html: '<h1>Please sign in</h1>' } },
};

interface Seen {
  posts: number;
  /** Every request's body, in order. */
  bodies: ChatRequest[];
  aborted: number;
  sessionId?: string;
  headers?: IncomingMessage['headers'];
  /** Resumes (GET …/events), the Last-Event-ID of each, and cancels (POST …/cancel). */
  gets: number;
  lastEventIds: (string | undefined)[];
  cancels: number;
  /** `gets` when the last POST came: each run's resumes are refused as its scenario says, from the first. */
  getsAtPost: number;
}

const seenFor = (name: string): Seen => {
  let seen = stats.get(name);
  if (!seen)
    stats.set(
      name,
      (seen = { posts: 0, bodies: [], aborted: 0, gets: 0, lastEventIds: [], cancels: 0, getsAtPost: 0 }),
    );
  return seen;
};

/** Per scenario: POSTs seen, streams the client closed early, and the last request's body and headers. */
const stats = new Map<string, Seen>();
/** Requests to /exfil/… : a rendered answer must never make the browser fetch anything. */
let exfil = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readJson(req: IncomingMessage): Promise<ChatRequest> {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    return JSON.parse(body);
  } catch {
    return {};
  }
}

export function scriptedBff() {
  return async function scriptedBffMiddleware(ctx: Context, next: Next) {
    if (ctx.path.startsWith('/exfil')) {
      exfil++;
      ctx.status = 204;
      return;
    }
    if (ctx.path === '/scripted-exfil') {
      ctx.body = { requests: exfil };
      return;
    }
    const count = /^\/scripted-posts\/([\w-]+)$/.exec(ctx.path);
    if (count) {
      ctx.body = seenFor(count[1]!);
      return;
    }
    const runs = /^\/scripted\/runs\/([\w-]+)\/(events|cancel)$/.exec(ctx.path);
    if (runs) return runRequest(ctx, runs[1]!, runs[2]!);
    const match = /^\/scripted\/([\w-]+)$/.exec(ctx.path);
    if (!match || ctx.method !== 'POST') return next();
    const name = match[1]!;
    if (name === 'feedback') {
      // The widget's POST …/feedback beside the chat endpoint: kept for the test to read.
      const seen = seenFor(name);
      seen.posts++;
      seen.bodies.push(await readJson(ctx.req));
      seen.headers = ctx.headers;
      ctx.status = 204;
      return;
    }
    const scenario = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name]! : undefined;
    if (!scenario) return next();
    const body = await readJson(ctx.req);
    const seen = seenFor(name);
    seen.posts++;
    seen.bodies.push(body);
    seen.getsAtPost = seen.gets;
    seen.sessionId = body.session_id;
    seen.headers = ctx.headers;

    const refused = scenario.failOdd && seen.posts % 2 === 1 ? scenario.failOdd : scenario.refuse;
    if (refused) return refuse(ctx, refused);

    const events: Array<[string, unknown]> = scenario.echo
      ? echo(body.message ?? '', ctx.query)
      : scenario.big
        ? big(body.message ?? '', ctx.query)
        : (scenario.raw ?? scenario.script?.(body) ?? scenario.events ?? []);
    const drop = scenario.drop || (scenario.dropAnswers === true && body.resume !== undefined);
    await stream(ctx, name, { ...scenario, drop }, seen, events, 0, body.session_id);
  };
}

/** Answers a request as `refused` says: its status, and its JSON error or its page. */
function refuse(ctx: Context, refused: Refusal): void {
  ctx.status = refused.status;
  if (refused.json) ctx.body = refused.json;
  else {
    ctx.type = 'text/html';
    ctx.body = refused.html;
  }
}

/** `GET /scripted/runs/<scenario>/events` and `POST …/cancel`, as the BFF answers them. */
async function runRequest(ctx: Context, name: string, what: string): Promise<void> {
  const scenario = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name]! : {};
  const seen = seenFor(name);
  if (what === 'cancel') {
    seen.cancels++;
    ctx.status = 202;
    ctx.body = { run_id: name, status: 'cancelling' };
    return;
  }
  seen.gets++;
  const lastEventId = ctx.get('last-event-id') || undefined;
  seen.lastEventIds.push(lastEventId);
  const refused =
    scenario.resumeRefusals?.[seen.gets - seen.getsAtPost - 1] ?? (scenario.run ? undefined : refusal('run_not_found'));
  if (refused) return refuse(ctx, refused);
  const after = Number(lastEventId?.split(':')[1] ?? ctx.query.after ?? 0);
  await stream(ctx, name, { ...scenario, drop: false, hold: false }, seen, scenario.run!, after, seen.sessionId);
}

/** Streams `events` after sequence `after`, as the scenario says (pauses, heartbeats, a hold or a cut at the end). */
async function stream(
  ctx: Context,
  name: string,
  scenario: Scenario,
  seen: Seen,
  events: Array<[string, unknown]>,
  after: number,
  sessionId: string | undefined,
): Promise<void> {
  ctx.respond = false;
  const res = ctx.res;
  let finished = false;
  res.on('close', () => {
    if (!finished) seen.aborted++;
  });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // The browser has an answer, even one cut before its first event (else it may send the POST again itself).
  res.flushHeaders();
  const delay = Number(ctx.query.delay ?? 10);
  let seq = after;
  for (const [event, data] of events.slice(after)) {
    if (res.destroyed) return;
    // The session id the client sent comes back in `start`, as the real BFF does, with the run's id.
    const payload = event === 'start' ? { ...(data as object), session_id: sessionId, run_id: name } : data;
    res.write(sseFrame(event, payload, `${name}:${++seq}`));
    if (scenario.heartbeats) res.write(HEARTBEATS[seq % HEARTBEATS.length]);
    if (scenario.pauseAfter === seq) await sleep(scenario.pauseMs ?? 0);
    else if (delay) await sleep(delay);
  }
  if (scenario.hold) {
    for (let i = 0; i < 200 && !res.destroyed; i++) await sleep(50);
  }
  if (scenario.drop) {
    // Give the browser time to read what was sent, then cut the connection mid-response.
    await sleep(300);
    res.socket?.destroy();
    return;
  }
  finished = true;
  res.end();
}
