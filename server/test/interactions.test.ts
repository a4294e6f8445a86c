import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HISTORY_MAX_MESSAGES,
  HISTORY_MAX_TOTAL_CHARS,
  PAGE_TOOL_DESCRIPTION_MAX_CHARS,
  PAGE_TOOL_PARAMETERS_MAX_CHARS,
  PAGE_TOOL_RESULT_MAX_CHARS,
  PAGE_TOOLS_MAX,
} from '../../protocol/agent-request.ts';
import { useFakeBff, withFakeBff } from '../../test/support/bff.ts';
import { type Script, stallAfterStart } from '../../test/support/fake-agentcore.ts';
import { ChatStream, type RequestOptions, send } from '../../test/support/http-client.ts';
import { bodyLimitBytes } from '../src/chat-request.ts';

/**
 * Approvals, page tools, suggestions and feedback at the BFF: what it takes from a browser, what it
 * forwards to AgentCore (the real SDK against the fake), and how it relays the agent's pauses.
 */

const SHOP = 'https://shop.example.com';
const now = () => new Date().toISOString();
const post = (body: unknown, path = '/v1/chat/stream', headers: Record<string, string> = {}): RequestOptions => ({
  path,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

const accent = {
  name: 'set_accent_color',
  description: "Set the page's accent colour.",
  parameters: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
};
const tool = (overrides: Record<string, unknown>) => ({ ...accent, ...overrides });
const nested = (levels: number) => {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { a: schema } };
  return schema;
};

/** Bodies refused before any stream, each with its code and the words that say what was wrong. */
const REFUSED: [name: string, body: unknown, code: string, says: RegExp][] = [
  ['message and resume', { message: 'Hi', resume: { id: 'c1', approved: true } }, 'message_and_resume', /not both/],
  ['neither message nor resume', { session_id: 's' }, 'invalid_message', /"resume", to answer a paused run/],
  ['resume as a string', { resume: 'yes' }, 'invalid_resume', /^"resume" must be \{id, approved: boolean/],
  ['resume without an id', { resume: { approved: true } }, 'invalid_resume', /"resume" must be/],
  ['resume with an empty id', { resume: { id: '', approved: true } }, 'invalid_resume', /"resume" must be/],
  ['resume approving with a string', { resume: { id: 'c1', approved: 'yes' } }, 'invalid_resume', /must be/],
  [
    'resume both approving and answering',
    { resume: { id: 'c1', approved: true, result: 'x' } },
    'invalid_resume',
    /must be/,
  ],
  ['resume with a number as result', { resume: { id: 'c1', result: 42 } }, 'invalid_resume', /must be/],
  [
    'resume with a note of 1001 characters',
    { resume: { id: 'c1', approved: false, note: 'n'.repeat(1001) } },
    'invalid_resume',
    /^The note is longer than 1000 characters\.$/,
  ],
  [
    'resume with a note that is not a string',
    { resume: { id: 'c1', approved: false, note: 5 } },
    'invalid_resume',
    /must be/,
  ],
  [
    `a page tool result of ${PAGE_TOOL_RESULT_MAX_CHARS + 1} characters`,
    { resume: { id: 'c1', result: 'r'.repeat(PAGE_TOOL_RESULT_MAX_CHARS + 1) } },
    'invalid_resume',
    /^The page tool's result is longer than 8000 characters\.$/,
  ],
  [
    'a page tool error that is too long',
    { resume: { id: 'c1', error: 'e'.repeat(PAGE_TOOL_RESULT_MAX_CHARS + 1) } },
    'invalid_resume',
    /page tool's error is longer/,
  ],
  [
    'a resume id of 257 characters',
    { resume: { id: 'c'.repeat(257), approved: true } },
    'invalid_resume',
    /"resume.id" is longer than 256/,
  ],
  [
    'an unknown field in resume',
    { resume: { id: 'c1', approved: true, approve: true } },
    'invalid_resume',
    /^Unknown field "approve" in "resume"\.$/,
  ],
  ['tools as an object', { message: 'Hi', tools: accent }, 'invalid_tools', /"tools" must be an array/],
  [
    `${PAGE_TOOLS_MAX + 1} tools`,
    { message: 'Hi', tools: Array.from({ length: 17 }, (_, i) => tool({ name: `t${i}` })) },
    'invalid_tools',
    /at most 16 tools, not 17/,
  ],
  [
    'a tool that is a string',
    { message: 'Hi', tools: ['set_accent_color'] },
    'invalid_tools',
    /tool 0 is not an object/,
  ],
  [
    'a tool named with a space',
    { message: 'Hi', tools: [tool({ name: 'set colour' })] },
    'invalid_tools',
    /tool 0's name must be 1-64 letters/,
  ],
  [
    'a tool name of 65 characters',
    { message: 'Hi', tools: [tool({ name: 'n'.repeat(65) })] },
    'invalid_tools',
    /name must be 1-64/,
  ],
  [
    'two tools of one name',
    { message: 'Hi', tools: [accent, accent] },
    'invalid_tools',
    /"set_accent_color" is named twice/,
  ],
  [
    'a tool without a description',
    { message: 'Hi', tools: [tool({ description: ' ' })] },
    'invalid_tools',
    /needs a description/,
  ],
  [
    'a description of 1001 characters',
    { message: 'Hi', tools: [tool({ description: 'd'.repeat(PAGE_TOOL_DESCRIPTION_MAX_CHARS + 1) })] },
    'invalid_tools',
    /description is longer than 1000 characters/,
  ],
  [
    'parameters of type string',
    { message: 'Hi', tools: [tool({ parameters: { type: 'string' } })] },
    'invalid_tools',
    /JSON Schema of type "object"/,
  ],
  [
    'parameters as an array',
    { message: 'Hi', tools: [tool({ parameters: [] })] },
    'invalid_tools',
    /JSON Schema of type "object"/,
  ],
  [
    'parameters of 8001 characters',
    {
      message: 'Hi',
      tools: [tool({ parameters: { type: 'object', description: 'x'.repeat(PAGE_TOOL_PARAMETERS_MAX_CHARS) } })],
    },
    'invalid_tools',
    /longer than 8000 characters of JSON/,
  ],
  [
    'parameters nested 17 levels',
    { message: 'Hi', tools: [tool({ parameters: nested(16) })] },
    'invalid_tools',
    /nest deeper than 16 levels/,
  ],
  [
    'a tool with a handler field',
    { message: 'Hi', tools: [tool({ handler: 'function () {}' })] },
    'invalid_tools',
    /tool 0 has a field "handler"; a tool is \{name, description, parameters\}/,
  ],
  ['tools in a resume, badly', { resume: { id: 'c1', approved: true }, tools: [{}] }, 'invalid_tools', /name must be/],
  [
    'an unknown top-level field',
    { message: 'Hi', tool: [accent] },
    'unknown_field',
    /^Unknown field "tool": this request takes "message" \(or "resume"\), "session_id", "tools" and "history"\.$/,
  ],
];

describe('the chat request: message or resume, and the page tools', () => {
  const suite = useFakeBff();

  it(`refuses ${REFUSED.length} bad bodies with 400, a code and a sentence that says what was wrong, before any agent runs`, async () => {
    for (const [name, body, code, says] of REFUSED) {
      const answer = await send(suite.bff.url, post(body));
      assert.equal(answer.status, 400, `${name}: ${answer.raw.slice(0, 200)}`);
      assert.equal(answer.json?.error?.code, code, name);
      assert.match(answer.json.error.message, says, name);
    }
    assert.equal(suite.fake.calls.length, 0);
  });

  it('refuses parameters nested 100,000 levels deep as too deep, and keeps serving', async () => {
    const deep = `${'{"type":"object","properties":{"a":'.repeat(100_000)}{}${'}}'.repeat(100_000)}`;
    const body = `{"message":"Hi","tools":[{"name":"deep","description":"Deep.","parameters":${deep}}]}`;
    const answer = await send(suite.bff.url, { headers: { 'content-type': 'application/json' }, body });
    assert.equal(answer.status, 413, 'a body that deep is over the size limit first');
    const within = `${'{"type":"object","properties":{"a":'.repeat(10_000)}{}${'}}'.repeat(10_000)}`;
    const refused = await send(suite.bff.url, {
      headers: { 'content-type': 'application/json' },
      body: `{"message":"Hi","tools":[{"name":"deep","description":"Deep.","parameters":${within}}]}`,
    });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /nest deeper than 16 levels/);
    const good = new ChatStream(suite.bff.url, { message: 'Hello', tools: [accent] });
    await good.finished;
    assert.deepEqual(good.events.at(-1)?.data, { status: 'complete' });
  });

  it('forwards a message as {prompt, tools}, and answers as {resume, tools}: the tools as checked, nothing else', async () => {
    const calls = suite.fake.calls.length;
    const streams = [
      {
        message: 'Make the page green',
        session_id: 'fwd',
        tools: [{ ...accent }, { name: 'read_cart', description: 'Read the cart.' }],
      },
      { resume: { id: 'call_1', result: 'The accent colour is now green.' }, session_id: 'fwd', tools: [accent] },
      { resume: { id: 'call_2', error: 'timed out' }, session_id: 'fwd' },
      { resume: { id: 'call_3', approved: false, note: 'not now' }, session_id: 'fwd', tools: [] },
      { resume: { id: 'call_4', approved: true }, session_id: 'fwd' },
    ];
    for (const body of streams) {
      const stream = new ChatStream(suite.bff.url, body);
      await stream.finished;
      assert.equal(stream.response?.statusCode, 200);
    }
    assert.deepEqual(
      suite.fake.calls.slice(calls).map((call) => call.payload),
      [
        {
          prompt: 'Make the page green',
          tools: [
            accent,
            { name: 'read_cart', description: 'Read the cart.', parameters: { type: 'object', properties: {} } },
          ],
        },
        { resume: { id: 'call_1', result: 'The accent colour is now green.' }, tools: [accent] },
        { resume: { id: 'call_2', error: 'timed out' } },
        { resume: { id: 'call_3', approved: false, note: 'not now' } },
        { resume: { id: 'call_4', approved: true } },
      ],
    );
  });

  it('takes the largest body its bounds allow: 16 tools at their longest, every character costly, with the longest message and history', async () => {
    // A description of characters JSON escapes (6 bytes each), parameters of 3-byte characters.
    const tools = Array.from({ length: PAGE_TOOLS_MAX }, (_, i) => ({
      name: `${'t'.repeat(62)}${String(i).padStart(2, '0')}`,
      description: '\u0001'.repeat(PAGE_TOOL_DESCRIPTION_MAX_CHARS),
      parameters: { type: 'object', description: '€'.repeat(PAGE_TOOL_PARAMETERS_MAX_CHARS - 40) },
    }));
    const history = Array.from({ length: HISTORY_MAX_MESSAGES }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: '\u0001'.repeat(HISTORY_MAX_TOTAL_CHARS / HISTORY_MAX_MESSAGES),
    }));
    const body = JSON.stringify({ message: '\u0001'.repeat(16_000), session_id: 's'.repeat(256), tools, history });
    assert.ok(Buffer.byteLength(body) > 0.95 * bodyLimitBytes(16_000), 'the test body is near the limit');
    const stream = new ChatStream(suite.bff.url, JSON.parse(body));
    await stream.finished;
    assert.equal(stream.response?.statusCode, 200);
    assert.equal((suite.fake.calls.at(-1)!.payload as { tools: unknown[] }).tools.length, PAGE_TOOLS_MAX);
  });
});

/** The agent pauses (or suggests) as the real one does: its events, then AGENT_END. */
function agentSays(events: Array<[string, Record<string, unknown>]>): Script {
  return async (call) => {
    call.open();
    await call.event('AGENT_START', { timestamp: now(), session_id: call.runtimeSessionId });
    for (const [name, data] of events) await call.event(name, { timestamp: now(), ...data });
    await call.event('AGENT_END', { timestamp: now(), output: '' });
    call.end();
  };
}

const saveNote = { id: 'call_1', tool: 'save_note', args: { text: 'buy milk' } };

describe("relaying the agent's pauses and suggestions", () => {
  const suite = useFakeBff();
  const relayed = async (script: Script) => {
    suite.fake.next(script);
    const stream = new ChatStream(suite.bff.url, { message: 'Hi' });
    await stream.finished;
    return stream.events.map(({ event, data }) => [event, data]);
  };

  it('an approval: tool_start, approval_request {id, tool, args, reason}, then done "interrupted"', async () => {
    const events = await relayed(
      agentSays([
        ['TOOL_CALL', saveNote],
        ['AGENT_INTERRUPT', { ...saveNote, kind: 'approval', reason: 'Save the note "buy milk"?' }],
      ]),
    );
    assert.deepEqual(events.slice(2), [
      ['tool_start', saveNote],
      ['approval_request', { ...saveNote, reason: 'Save the note "buy milk"?' }],
      ['done', { status: 'interrupted' }],
    ]);
  });

  it('a page tool: tool_start, page_tool_request {id, tool, args}, then done "interrupted"', async () => {
    const call = { id: 'call_9', tool: 'set_accent_color', args: { color: 'green' } };
    const events = await relayed(
      agentSays([
        ['TOOL_CALL', call],
        ['AGENT_INTERRUPT', { ...call, kind: 'page_tool', reason: 'set_accent_color runs in the web page.' }],
      ]),
    );
    assert.deepEqual(events.slice(2), [
      ['tool_start', call],
      ['page_tool_request', call],
      ['done', { status: 'interrupted' }],
    ]);
  });

  it('an interrupt of a kind it does not know: nothing to answer, but the run still ended paused', async () => {
    const events = await relayed(agentSays([['AGENT_INTERRUPT', { ...saveNote, kind: 'telepathy', reason: '?' }]]));
    assert.deepEqual(events.slice(2), [['done', { status: 'interrupted' }]]);
  });

  it('suggestions {items} before done "complete", held to 4 items of 80 characters', async () => {
    const long = 'w'.repeat(200);
    const events = await relayed(
      agentSays([
        ['LLM_RESPONSE', { content: 'Hi!' }],
        ['SUGGESTIONS', { items: ['What is that times 3?', long, 'c', 'd', 'e'] }],
      ]),
    );
    assert.deepEqual(events.slice(-3), [
      ['message', { content: 'Hi!', partial: true }],
      ['suggestions', { items: ['What is that times 3?', 'w'.repeat(80), 'c', 'd'] }],
      ['done', { status: 'complete' }],
    ]);
  });

  it('an error after an interrupt is an error', async () => {
    const events = await relayed(
      agentSays([
        ['AGENT_INTERRUPT', { ...saveNote, kind: 'approval', reason: 'Save?' }],
        ['AGENT_ERROR', { code: 'agent_error', message: 'x' }],
      ]),
    );
    assert.deepEqual(events.at(-1), ['done', { status: 'error' }]);
  });

  it('an AGENT_INTERRUPT without its fields fails the run as upstream_malformed', async () => {
    const events = await relayed(agentSays([['AGENT_INTERRUPT', { id: 'call_1', kind: 'approval', tool: 'x' }]]));
    assert.deepEqual(
      events.slice(-2).map(([event, data]) => [event, (data as { code?: string; status?: string }).code ?? data]),
      [
        ['error', 'upstream_malformed'],
        ['done', { status: 'error' }],
      ],
    );
  });

  it('holds a resume to the conversation lock: answering while the conversation is still answering is a 409', async () => {
    suite.fake.next(stallAfterStart);
    const running = new ChatStream(suite.bff.url, { message: 'Save a note: buy milk', session_id: 'locked' });
    await running.until((s) => s.has('agent_start'));
    const resume = await send(suite.bff.url, post({ resume: { id: 'call_1', approved: true }, session_id: 'locked' }));
    assert.equal(resume.status, 409);
    assert.equal(resume.json.error.code, 'session_busy');
    running.close();
    await running.finished;
  });
});

describe('POST /v1/chat/feedback', () => {
  const suite = useFakeBff({ ALLOWED_ORIGINS: SHOP });
  const feedback = (body: unknown, headers: Record<string, string> = {}) =>
    send(suite.bff.url, post(body, '/v1/chat/feedback', headers));
  const RUN = '3f0c2a9e-7b1d-4c55-9a7e-0d4b8f6e2a11';

  it('writes one structured log line per rating, joined to the run by run_id, and answers 204', async () => {
    const before = suite.bff.logs.length;
    const up = await feedback({ run_id: RUN, rating: 'up' }, { origin: SHOP });
    assert.equal(up.status, 204);
    assert.equal(up.raw, '');
    assert.equal(up.headers['access-control-allow-origin'], SHOP);
    const down = await feedback({ run_id: RUN, rating: 'down', comment: 'Wrong time zone.\n"Tokyo" is UTC+9' });
    assert.equal(down.status, 204);
    const lines = suite.bff.logs.slice(before).filter((line) => line.msg === 'feedback');
    assert.deepEqual(
      lines.map(({ level, run_id, rating, comment }) => ({ level, run_id, rating, comment })),
      [
        { level: 'info', run_id: RUN, rating: 'up', comment: undefined },
        { level: 'info', run_id: RUN, rating: 'down', comment: 'Wrong time zone.\n"Tokyo" is UTC+9' },
      ],
    );
    assert.deepEqual(Object.keys(lines[1]!).sort(), ['comment', 'level', 'msg', 'rating', 'run_id', 'time']);
    const request = suite.bff.logs.find((l) => l.msg === 'request' && l.path === '/v1/chat/feedback');
    assert.equal(request?.outcome, 'recorded');
    assert.equal(suite.fake.calls.length, 0, 'feedback never reaches the agent');
  });

  it('refuses what is not a rating with 400 and says why', async () => {
    const refused: [unknown, string, RegExp][] = [
      [{ rating: 'up' }, 'invalid_feedback', /"run_id" must be the id of the run rated/],
      [{ run_id: 'a b', rating: 'up' }, 'invalid_feedback', /"run_id" must be/],
      [{ run_id: 'r'.repeat(129), rating: 'up' }, 'invalid_feedback', /"run_id" must be/],
      [{ run_id: RUN, rating: 5 }, 'invalid_feedback', /^Bad feedback: "rating" must be "up" or "down"\.$/],
      [{ run_id: RUN, rating: 'meh' }, 'invalid_feedback', /"rating" must be "up" or "down"/],
      [{ run_id: RUN, rating: 'up', comment: 7 }, 'invalid_feedback', /"comment" must be a string/],
      [{ run_id: RUN, rating: 'up', comment: 'c'.repeat(1001) }, 'invalid_feedback', /at most 1000 characters/],
      [
        { run_id: RUN, rating: 'up', score: 1 },
        'unknown_field',
        /^Unknown field "score": this request takes "run_id", "rating" and "comment"\.$/,
      ],
      [[RUN, 'up'], 'invalid_body', /JSON object/],
    ];
    for (const [body, code, says] of refused) {
      const answer = await feedback(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.json.error.code, code, JSON.stringify(body));
      assert.match(answer.json.error.message, says, JSON.stringify(body));
    }
    const tooLarge = await feedback({ run_id: RUN, rating: 'up', comment: 'c'.repeat(20_000) });
    assert.equal(tooLarge.status, 413);
    assert.match(tooLarge.json.error.message, /at most 7024 bytes/);
    const form = await send(suite.bff.url, {
      path: '/v1/chat/feedback',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    assert.equal(form.status, 415);
    assert.equal(
      (await send(suite.bff.url, { method: 'GET', path: '/v1/chat/feedback' })).headers.allow,
      'POST, OPTIONS',
    );
  });

  it('sits behind the same CORS as the chat: the allowed origin may preflight, any other is refused', async () => {
    const preflight = await send(suite.bff.url, {
      method: 'OPTIONS',
      path: '/v1/chat/feedback',
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], SHOP);
    const evil = await feedback({ run_id: RUN, rating: 'down' }, { origin: 'https://evil.example' });
    assert.equal(evil.status, 403);
    assert.equal(evil.json.error.code, 'origin_not_allowed');
  });

  it('shares the chat rate limit: ratings and messages count against one budget per client', async () => {
    await withFakeBff({ RATE_LIMIT_MAX: '2', TRUST_PROXY_HOPS: '1' }, async (_fake, bff) => {
      const from = { 'x-forwarded-for': '198.51.100.7' };
      const chat = new ChatStream(bff.url, { message: 'Hi' }, from);
      await chat.finished;
      assert.equal(chat.response?.statusCode, 200);
      assert.equal((await send(bff.url, post({ run_id: RUN, rating: 'up' }, '/v1/chat/feedback', from))).status, 204);
      const third = await send(bff.url, post({ run_id: RUN, rating: 'down' }, '/v1/chat/feedback', from));
      assert.equal(third.status, 429);
      assert.equal(third.json.error.code, 'rate_limited');
      assert.equal((await send(bff.url, post({ message: 'Hi' }, '/v1/chat/stream', from))).status, 429);
    });
  });
});
