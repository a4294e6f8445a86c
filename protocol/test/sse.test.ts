import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseEventTooLargeError, SseParser, parseSse } from '../sse.ts';

const STREAM =
  'event: AGENT_START\ndata: {"session_id":"s"}\n\n' +
  ': heartbeat\n\n' +
  'event: LLM_TOKEN\r\ndata: {"delta":"héllo ✓ 🙂"}\r\n\r\n' +
  'event: LLM_RESPONSE\ndata: {"content":\ndata: "two lines"}\n\n' +
  'event: AGENT_END\ndata: {"output":"done"}\n\n';

const EXPECTED = [
  { event: 'AGENT_START', data: '{"session_id":"s"}' },
  { event: 'LLM_TOKEN', data: '{"delta":"héllo ✓ 🙂"}' },
  { event: 'LLM_RESPONSE', data: '{"content":\n"two lines"}' },
  { event: 'AGENT_END', data: '{"output":"done"}' },
];

async function* chunksOf(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.slice(from, cut);
    from = cut;
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>) {
  const out = [];
  for await (const m of parseSse(chunks)) out.push(m);
  return out;
}

describe('parseSse', () => {
  const bytes = new TextEncoder().encode(STREAM);

  it('parses a stream delivered whole', async () => {
    assert.deepEqual(await collect(chunksOf(bytes, [])), EXPECTED);
  });

  it('parses the stream split at every single byte position (including inside UTF-8 characters)', async () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(await collect(chunksOf(bytes, [cut])), EXPECTED, `split at byte ${cut}`);
    }
  });

  it('parses the stream one byte at a time', async () => {
    assert.deepEqual(
      await collect(
        chunksOf(
          bytes,
          Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
        ),
      ),
      EXPECTED,
    );
  });

  it('parses random multi-way splits', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const cuts = [
        ...new Set(
          Array.from({ length: 1 + Math.floor(random() * 12) }, () => 1 + Math.floor(random() * (bytes.length - 1))),
        ),
      ].sort((a, b) => a - b);
      assert.deepEqual(await collect(chunksOf(bytes, cuts)), EXPECTED, `cuts ${cuts.join(',')}`);
    }
  });

  it('yields each event as soon as its chunk arrives, before the stream ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow() {
      yield new TextEncoder().encode('event: AGENT_START\ndata: {}\n\n');
      await gate;
      yield new TextEncoder().encode('event: AGENT_END\ndata: {}\n\n');
    }
    const iterator = parseSse(slow());
    const first = await iterator.next();
    assert.equal(first.value?.event, 'AGENT_START');
    release();
    assert.equal((await iterator.next()).value?.event, 'AGENT_END');
    assert.equal((await iterator.next()).done, true);
  });

  it('refuses an event that grows past its size limit instead of buffering it', () => {
    const parser = new SseParser(1000);
    assert.deepEqual(parser.feed('event: a\ndata: 1\n\n'), [{ event: 'a', data: '1' }]);
    parser.feed(`data: ${'x'.repeat(600)}`);
    assert.throws(() => parser.feed('x'.repeat(600)), SseEventTooLargeError);
  });

  it('refuses an event grown past the limit in complete data lines with comments between them', () => {
    const parser = new SseParser(1000);
    parser.feed(`data: ${'x'.repeat(400)}\n: keep-alive\n`);
    parser.feed(`data: ${'x'.repeat(400)}\n: keep-alive\n`);
    assert.throws(() => parser.feed(`data: ${'x'.repeat(400)}\n: keep-alive\n`), SseEventTooLargeError);
  });

  it('does not count comments and blank lines between events toward the limit', () => {
    const parser = new SseParser(1000);
    for (let i = 0; i < 200; i++) assert.deepEqual(parser.feed(': ping\n\nevent: ping\n\n'), []);
    assert.deepEqual(parser.feed('event: a\ndata: 1\n\n'), [{ event: 'a', data: '1' }]);
  });

  it('counts the limit per event: many events of a total far above it pass', () => {
    const parser = new SseParser(1000);
    let count = 0;
    for (let i = 0; i < 100; i++) count += parser.feed(`event: a\ndata: ${'x'.repeat(500)}\n\n`).length;
    assert.equal(count, 100);
  });
});
