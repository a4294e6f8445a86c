import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AGENT_ERRORS } from '../agent-errors.ts';
import { CHAT_ERRORS, WIDGET_ERRORS, chatError, isChatErrorCode, retryableStatus } from '../chat-errors.ts';

const docs = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
/** A code's row in a table of docs/protocol.md, its cells trimmed: `| \`code\` | status | retryable | …`. */
const row = (code: string) =>
  docs
    .split('\n')
    .find((line) => line.startsWith(`| \`${code}\` `))
    ?.replace(/ *\| */g, ' | ')
    .trim();

describe('the error catalogues', () => {
  it('give every code a sentence for people', () => {
    for (const [code, { message }] of Object.entries({ ...CHAT_ERRORS, ...AGENT_ERRORS, ...WIDGET_ERRORS })) {
      // A sentence, or a parameter filled in with one (`{explanation}`).
      assert.match(message, /^["A-Z{].{8,}[.:\-a-z}]$/, code);
    }
  });

  it('make an error answered before a stream retryable exactly when its status says so (a browser seeing only a status agrees)', () => {
    for (const [code, spec] of Object.entries(CHAT_ERRORS)) {
      if ('status' in spec) assert.equal(spec.retryable, retryableStatus(spec.status), code);
    }
    for (const [code, spec] of Object.entries(AGENT_ERRORS)) {
      if (spec.status !== 500) assert.equal(spec.retryable, retryableStatus(spec.status), code);
    }
  });

  it("keep the BFF's codes, the agent's and the widget's apart: one meaning per code", () => {
    const bff = Object.keys(CHAT_ERRORS);
    for (const code of [...Object.keys(AGENT_ERRORS), ...Object.keys(WIDGET_ERRORS)])
      assert.ok(!bff.includes(code), code);
    for (const code of Object.keys(WIDGET_ERRORS)) assert.ok(!(code in AGENT_ERRORS), code);
  });

  it('fill in a sentence, and know only their own codes', () => {
    assert.deepEqual(chatError('message_too_long', { max: 16000 }), {
      code: 'message_too_long',
      message: '"message" must be at most 16000 characters.',
      retryable: false,
    });
    assert.deepEqual(chatError('model_throttled'), {
      code: 'model_throttled',
      message: AGENT_ERRORS.model_throttled.message,
      retryable: true,
    });
    for (const code of ['__proto__', 'toString', 'network', 'nope']) assert.equal(isChatErrorCode(code), false, code);
  });

  it('are listed in docs/protocol.md, each code once with its status and retryability', () => {
    for (const [code, spec] of Object.entries(CHAT_ERRORS)) {
      const status = 'status' in spec ? String(spec.status) : 'in a stream';
      assert.match(
        row(code) ?? '',
        new RegExp(`^\\| \`${code}\` \\| ${status} \\| ${spec.retryable ? 'yes' : 'no'} \\|`),
        code,
      );
    }
    for (const [code, spec] of Object.entries(AGENT_ERRORS)) {
      assert.match(
        row(code) ?? '',
        new RegExp(`^\\| \`${code}\` \\| ${spec.status} \\| ${spec.retryable ? 'yes' : 'no'} \\|`),
        code,
      );
    }
    for (const code of Object.keys(WIDGET_ERRORS)) assert.ok(docs.includes(`\`${code}\``), code);
  });
});
