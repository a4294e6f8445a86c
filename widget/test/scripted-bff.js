// A scripted stand-in for the BFF's Wire 2 stream, served by the test runner's dev server, so the
// widget's tests can play exact sequences and faults. The real BFF is driven by the end-to-end test.
const SEED = [
  ['start', { session_id: 's' }],
  ['agent_start', { session_id: 's', status: 'started' }],
  ['tool_start', { id: 'call_1', tool: 'calculator', args: { expression: '5+5' } }],
  ['tool_end', { id: 'call_1', tool: 'calculator', result: '10' }],
  ['token', { delta: 'The result ' }],
  ['token', { delta: 'of 5+5 ' }],
  ['token', { delta: 'is 10.' }],
  ['message', { content: 'The result of 5+5 is 10.', partial: true }],
  ['done', { status: 'complete' }],
];

const SCENARIOS = {
  seed: { events: SEED },
  // Pauses after the tool result, so a test can look at the widget mid-stream.
  slow: { events: SEED, pauseAfter: 4, pauseMs: 600 },
  'agent-error': {
    events: [
      ['start', { session_id: 's' }],
      ['agent_start', { session_id: 's', status: 'started' }],
      ['error', { code: 'throttled', message: 'The assistant is handling too many requests. Try again in a moment.', retryable: true }],
      ['done', { status: 'error' }],
    ],
  },
  // The connection ends before `done`.
  cut: { events: SEED.slice(0, 5) },
  'bad-request': { status: 400, json: { error: { code: 'message_too_long', message: '"message" must be at most 16000 characters.' } } },
  'html-500': { status: 500, html: '<h1>Bad gateway</h1>' },
};

/** POSTs seen per scenario, so tests can prove one send is one POST. */
const posts = new Map();

export function scriptedBff() {
  return async function scriptedBffMiddleware(ctx, next) {
    const count = /^\/scripted-posts\/([\w-]+)$/.exec(ctx.path);
    if (count) {
      ctx.body = { posts: posts.get(count[1]) ?? 0 };
      return;
    }
    const match = /^\/scripted\/([\w-]+)$/.exec(ctx.path);
    if (!match || ctx.method !== 'POST') return next();
    const name = match[1];
    const scenario = SCENARIOS[name];
    if (!scenario) return next();
    posts.set(name, (posts.get(name) ?? 0) + 1);
    if (scenario.status) {
      ctx.status = scenario.status;
      ctx.body = scenario.json ?? scenario.html;
      return;
    }
    ctx.respond = false;
    const res = ctx.res;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let seq = 0;
    for (const [event, data] of scenario.events) {
      if (res.destroyed) return;
      res.write(`id: run:${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (scenario.pauseAfter === seq) await new Promise((r) => setTimeout(r, scenario.pauseMs));
      else await new Promise((r) => setTimeout(r, 10));
    }
    res.end();
  };
}
