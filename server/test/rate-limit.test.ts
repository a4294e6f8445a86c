import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixedWindowLimiter } from '../src/rate-limit.ts';

describe('FixedWindowLimiter', () => {
  it('allows max requests per window per key, then says how many seconds to wait', () => {
    const limiter = new FixedWindowLimiter(2, 60_000);
    assert.equal(limiter.take('a', 0), 0);
    assert.equal(limiter.take('a', 1_000), 0);
    assert.equal(limiter.take('a', 1_500), 59, 'the window opened at 0 and closes at 60 s');
    assert.equal(limiter.take('b', 1_500), 0, 'each key counts on its own');
    assert.equal(limiter.take('a', 59_999), 1, 'never less than one second');
    assert.equal(limiter.take('a', 60_000), 0, 'a new window');
  });

  it('forgets clients whose window has passed', () => {
    const limiter = new FixedWindowLimiter(1, 1_000);
    for (let i = 0; i < 1000; i++) limiter.take(`client-${i}`, 0);
    limiter.take('later', 5_000);
    assert.equal((limiter as unknown as { windows: Map<string, unknown> }).windows.size, 1);
  });
});
