import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContentPart, Message } from '@ag-ui/core';
import { isRunAgentInput, readRunInput } from '../src/ag-ui-input.ts';
import { runInput } from './support/ag-ui.ts';

const user = (content: string | ContentPart[]): Message => ({ id: 'u', role: 'user', content });
const assistant = (content: string): Message => ({ id: 'a', role: 'assistant', content });

describe('isRunAgentInput: which wire a body is on', () => {
  const cases: Array<[unknown, boolean]> = [
    [runInput('hi'), true],
    [{ threadId: 't' }, true],
    [{ messages: 'not even a list' }, true],
    [{ prompt: 'hi' }, false],
    [{ message: 'hi' }, false],
    [{ prompt: 'hi', threadId: 't', messages: [] }, false],
    [{ nothing: true }, false],
    [[{ threadId: 't' }], false],
    [undefined, false],
    ['{"threadId"', false],
  ];
  for (const [body, agUi] of cases)
    it(`${JSON.stringify(body)} → ${agUi ? 'AG-UI' : 'Wire 1'}`, () => assert.equal(isRunAgentInput(body), agUi));
});

describe('readRunInput', () => {
  it('takes the last message as the new turn and the ones before it as history', () => {
    const read = readRunInput(runInput('And now?', [user('What is 5+5?'), assistant('The result is 10.')], 'thread-9'));
    assert.ok(read.ok && read.request.kind === 'prompt');
    assert.equal(read.threadId, 'thread-9');
    assert.equal(read.request.prompt, 'And now?');
    assert.deepEqual(
      read.request.history.map((m) => [m.getType(), m.text]),
      [
        ['human', 'What is 5+5?'],
        ['ai', 'The result is 10.'],
      ],
    );
  });

  it('reads the text parts of a multi-part message and drops the rest', () => {
    const input = runInput('x');
    input.messages = [
      {
        id: 'u',
        role: 'user',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image', source: { type: 'url', value: 'https://example.com/a.png' } },
          { type: 'text', text: 'what is 2+2?' },
        ],
      },
    ];
    const read = readRunInput(input);
    assert.ok(read.ok && read.request.kind === 'prompt');
    assert.equal(read.request.prompt, 'Look:\nwhat is 2+2?');
  });

  it('says which field is wrong when the input is not a RunAgentInput', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ threadId: 't', messages: [] }, /^The request is not a valid AG-UI RunAgentInput: runId: .*expected string/],
      [{ threadId: 't', runId: 'r', messages: [{ role: 'user', content: 'hi' }] }, /: messages\.0\.id: /],
      [{ threadId: 't', runId: 'r', messages: 'hi' }, /: messages: .*expected array/],
    ];
    for (const [body, message] of cases) {
      const read = readRunInput(body);
      assert.ok(!read.ok);
      assert.match(read.message, message);
    }
  });

  it('needs a user message with text last, tool results after the last assistant message, or a resume', () => {
    const image = user([{ type: 'image', source: { type: 'url', value: 'https://example.com/a.png' } }]);
    const orphan: Message = { id: 't', role: 'tool', toolCallId: 'c', content: 'r' };
    for (const messages of [[], [user('q'), assistant('a')], [user('   ')], [image], [user('q'), orphan]]) {
      const read = readRunInput({ ...runInput('x'), messages });
      assert.deepEqual(read, {
        ok: false,
        message:
          'The last message of the RunAgentInput must be a user message with text, or tool messages answering the page tools the last run stopped on; or it must carry "resume".',
      });
    }
  });
});
