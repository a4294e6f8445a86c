import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AIMessage, type AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages';
import {
  OFFLINE_NOTICE,
  OfflineChatModel,
  accentColourIn,
  decideReply,
  extractExpression,
  noteIn,
  timeZoneFor,
} from '../src/offline-model.ts';
import { calculator } from '../src/tools/calculator.ts';
import { tools } from '../src/tools.ts';

describe('offline model', () => {
  it('finds the arithmetic in a question', () => {
    assert.equal(extractExpression('What is 5+5?'), '5+5');
    assert.equal(extractExpression('what is 12 * (3 + 4)?'), '12 * (3 + 4)');
    assert.equal(extractExpression('What is 7 times 6?'), '7 * 6');
    assert.equal(extractExpression('I have 3 apples and 4 pears'), undefined);
    assert.equal(extractExpression('What is that times 3?', '10'), '10 * 3');
    assert.equal(extractExpression('What is that times 3?'), undefined);
  });

  it('takes the previous result in every form the calculator writes it', async () => {
    const followUp = async (result: string) => {
      const reply = await new OfflineChatModel()
        .bindTools(tools)
        .invoke([
          new HumanMessage('What is it?'),
          new AIMessage({ content: '', tool_calls: [{ id: 'c', name: 'calculator', args: { expression: 'it' } }] }),
          new ToolMessage({ tool_call_id: 'c', name: 'calculator', content: result }),
          new AIMessage('There.'),
          new HumanMessage('What is that times 3?'),
        ]);
      const expression = String(reply.tool_calls?.[0]?.args.expression);
      return [expression, await calculator.invoke({ expression })];
    };
    assert.deepEqual(await followUp('10'), ['10 * 3', '30']);
    assert.deepEqual(await followUp('-2'), ['(-2) * 3', '-6']);
    assert.deepEqual(await followUp('0.333333333333 (rounded)'), ['0.333333333333 * 3', '0.999999999999']);
    assert.deepEqual(await followUp('1.5 × 10^25 (rounded)'), ['(1.5 * 10^25) * 3', '45000000000000000000000000']);
    assert.deepEqual(await followUp('2.5 × 10^-8 (rounded)'), ['(2.5 * 10^-8) * 3', '0.000000075']);
  });

  it('asks for the calculator, streaming the call as tool_call_chunks', async () => {
    const model = new OfflineChatModel().bindTools(tools);
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream([new HumanMessage('What is 5+5?')])) chunks.push(chunk);
    assert.ok(chunks.length > 1, 'the call arrives in several chunks');
    assert.ok(chunks.every((c) => (c.tool_call_chunks?.length ?? 0) > 0));
    const whole = chunks.reduce((a, b) => a.concat(b));
    assert.equal(whole.tool_calls?.length, 1);
    assert.equal(whole.tool_calls![0]!.name, 'calculator');
    assert.deepEqual(whole.tool_calls![0]!.args, { expression: '5+5' });
    assert.match(whole.tool_calls![0]!.id!, /^call_/);
  });

  it('answers from the tool result, token by token', async () => {
    const model = new OfflineChatModel().bindTools(tools);
    const history = [
      new HumanMessage('What is 5+5?'),
      new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'calculator', args: { expression: '5+5' } }] }),
      new ToolMessage({ tool_call_id: 'call_1', name: 'calculator', content: '10' }),
    ];
    const tokens: string[] = [];
    for await (const chunk of await model.stream(history)) tokens.push(chunk.text);
    assert.ok(tokens.length > 3);
    assert.equal(tokens.join(''), 'The result of 5+5 is 10.');
  });

  it('reports a failed calculation in words', async () => {
    const model = new OfflineChatModel().bindTools(tools);
    const reply = await model.invoke([
      new HumanMessage('What is 1/0?'),
      new AIMessage({ content: '', tool_calls: [{ id: 'c', name: 'calculator', args: { expression: '1/0' } }] }),
      new ToolMessage({
        tool_call_id: 'c',
        name: 'calculator',
        status: 'error',
        content: 'Error: Division by zero\n Please fix your mistakes.',
      }),
    ]);
    assert.equal(reply.text, "I couldn't calculate 1/0: Division by zero");
  });

  it('finds the time zone of the place a time question names', () => {
    assert.equal(timeZoneFor('What time is it in Tokyo?'), 'Asia/Tokyo');
    assert.equal(timeZoneFor('what time is it in new york right now'), 'America/New_York');
    assert.equal(timeZoneFor('What time is it in Europe/Paris?'), 'Europe/Paris');
    assert.equal(timeZoneFor('What time is it?'), 'UTC');
    assert.equal(timeZoneFor('What time is it in Atlantis?'), 'Atlantis');
  });

  it('asks current_time about a time question', async () => {
    const reply = await new OfflineChatModel().bindTools(tools).invoke([new HumanMessage('What time is it in Tokyo?')]);
    assert.deepEqual(
      reply.tool_calls?.map((c) => [c.name, c.args]),
      [['current_time', { time_zone: 'Asia/Tokyo' }]],
    );
  });

  it('tells the time from the tool, or why it could not', async () => {
    const model = new OfflineChatModel().bindTools(tools);
    const ask = (status: 'success' | 'error', content: string) =>
      model.invoke([
        new HumanMessage('What time is it in Atlantis?'),
        new AIMessage({
          content: '',
          tool_calls: [{ id: 't', name: 'current_time', args: { time_zone: 'Atlantis' } }],
        }),
        new ToolMessage({ tool_call_id: 't', name: 'current_time', status, content }),
      ]);
    assert.equal(
      (await ask('success', 'Sunday, 2025-06-01 14:05:09 in Asia/Tokyo (UTC+09:00)')).text,
      'It is Sunday, 2025-06-01 14:05:09 in Asia/Tokyo (UTC+09:00).',
    );
    assert.equal(
      (await ask('error', 'Error: Unknown time zone "Atlantis": use an IANA name.\n Please fix your mistakes.')).text,
      'I couldn\'t tell the time in Atlantis: Unknown time zone "Atlantis": use an IANA name.',
    );
  });

  it('says honestly that it is the offline model when it cannot help', async () => {
    const reply = await new OfflineChatModel().bindTools(tools).invoke([new HumanMessage('Who wrote Hamlet?')]);
    assert.equal(reply.text, OFFLINE_NOTICE);
    assert.match(reply.text, /offline demo model/);
    assert.equal(reply.tool_calls?.length ?? 0, 0);
  });

  it('does not call a tool it was not given', async () => {
    const reply = await new OfflineChatModel().invoke([new HumanMessage('What is 5+5?')]);
    assert.equal(reply.tool_calls?.length ?? 0, 0);
  });

  it('stops streaming when its signal aborts', async () => {
    const model = new OfflineChatModel({ tokenDelayMs: 20 }).bindTools(tools);
    const controller = new AbortController();
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const chunk of await model.stream([new HumanMessage('Who wrote Hamlet?')], {
        signal: controller.signal,
      })) {
        seen.push(chunk.text);
        if (seen.length === 2) controller.abort();
      }
    });
    assert.equal(seen.length, 2);
  });

  it('finds the note a message asks to save, and the colour it asks the page to take', () => {
    assert.equal(noteIn('Save a note: buy milk'), 'buy milk');
    assert.equal(noteIn('please take a note - call mom!'), 'call mom');
    assert.equal(noteIn('Remember that the meeting is at 3pm.'), 'the meeting is at 3pm');
    assert.equal(noteIn('note down: eggs'), 'eggs');
    assert.equal(noteIn('I remember nothing'), undefined);
    assert.equal(noteIn('Save a note'), undefined);
    assert.equal(accentColourIn('Make the page green'), 'green');
    assert.equal(accentColourIn('change the accent colour to #FF8800'), '#ff8800');
    assert.equal(accentColourIn('What colour is the sky?'), undefined);
    assert.equal(accentColourIn('Make it so'), undefined);
  });

  it('asks for notes, saves them, and offers its tools as suggestions when it cannot help', () => {
    const all = new Set(['save_note', 'list_notes', 'calculator', 'set_accent_color']);
    const reply = (text: string, tools = all) => decideReply([new HumanMessage(text)], tools);
    assert.deepEqual(reply('What are my notes?'), { kind: 'tool_call', name: 'list_notes', args: {} });
    assert.deepEqual(
      reply('Save a note: 5+5'),
      { kind: 'tool_call', name: 'save_note', args: { text: '5+5' } },
      'before arithmetic',
    );
    assert.deepEqual(reply('Make the page green'), {
      kind: 'tool_call',
      name: 'set_accent_color',
      args: { color: 'green' },
    });
    assert.equal(reply('Make the page green', new Set(['calculator'])).kind, 'text', 'no page tool, no call');
    assert.deepEqual(reply('Who wrote Hamlet?'), {
      kind: 'text',
      text: OFFLINE_NOTICE,
      suggestions: ['What is 12 * (3 + 4)?', 'What time is it in Tokyo?', 'Save a note: buy milk'],
    });
  });

  it('answers a saved, declined or listed note, and suggests the next step as a call of the suggestions tool', async () => {
    const model = new OfflineChatModel().bindTools([
      ...tools,
      { name: 'suggest_follow_ups', description: 'd', schema: {} } as never,
    ]);
    const after = (
      name: string,
      args: Record<string, unknown>,
      content: string,
      status: 'success' | 'error' = 'success',
    ) =>
      model.invoke([
        new HumanMessage('…'),
        new AIMessage({ content: '', tool_calls: [{ id: 'n', name, args }] }),
        new ToolMessage({ tool_call_id: 'n', name, status, content }),
      ]);
    const saved = await after('save_note', { text: 'buy milk' }, 'Saved note 1: buy milk');
    assert.equal(saved.text, 'I saved your note: "buy milk".');
    assert.deepEqual(
      saved.tool_calls?.map((c) => [c.name, c.args]),
      [['suggest_follow_ups', { items: ['What are my notes?'] }]],
    );
    const declined = await after(
      'save_note',
      { text: 'x' },
      'The user declined this call, so it was not run. Their note: "later"',
      'error',
    );
    assert.equal(declined.text, 'OK, I didn\'t save the note. You said: "later".');
    assert.equal((await after('list_notes', {}, '1. buy milk\n2. eggs')).text, 'Your notes:\n1. buy milk\n2. eggs');
    assert.equal(
      (await after('list_notes', {}, 'There are no notes in this session yet.')).text,
      'You have no notes in this session yet.',
    );
  });

  it('reads a long message in linear time (a hang guard: a quadratic rule took minutes on 1 MB)', () => {
    const all = new Set(['save_note', 'list_notes', 'calculator', 'current_time', 'set_accent_color']);
    const started = Date.now();
    for (const text of ['show '.repeat(200_000), 'make '.repeat(200_000), `remember ${' '.repeat(1_000_000)}x`])
      decideReply([new HumanMessage(text)], all);
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  });
});
