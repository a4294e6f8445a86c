import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { flag, integer, oneOf, port, text, url } from '../env.ts';

describe('settings from the environment', () => {
  it('take a value, or the default when unset or empty', () => {
    assert.equal(text({ A: 'x' }, 'A', 'd'), 'x');
    assert.equal(text({ A: '' }, 'A', 'd'), 'd');
    assert.equal(text({}, 'A'), undefined);
    assert.equal(integer({ N: '7' }, 'N', 1, 0), 7);
    assert.equal(integer({ N: '' }, 'N', 1, 0), 1);
    assert.equal(port({}, 'PORT', 3000), 3000);
    assert.equal(oneOf({}, 'M', ['a', 'b'], 'a'), 'a');
    assert.equal(flag({ F: 'false' }, 'F', true), false);
    assert.equal(url({ U: 'https://example.com/x' }, 'U'), 'https://example.com/x');
  });

  it('stop at startup on a value that is not what the setting takes, naming the variable', () => {
    assert.throws(() => integer({ N: '1.5' }, 'N', 1, 0), /^Error: N must be a whole number ≥ 0, not "1.5"$/);
    assert.throws(() => port({ PORT: '70000' }, 'PORT', 1), /PORT must be a whole number from 0 to 65535/);
    assert.throws(() => oneOf({ M: 'c' }, 'M', ['a', 'b'], 'a'), /M must be "a" or "b", not "c"/);
    assert.throws(() => oneOf({ M: 'z' }, 'M', ['a', 'b', 'c'], 'a'), /M must be one of a, b, c, not "z"/);
    assert.throws(() => flag({ F: 'yes' }, 'F', true), /F must be "true" or "false"/);
    assert.throws(() => url({ U: 'localhost:8080' }, 'U'), /U must be an http\(s\) URL/);
  });
});

describe('docs/configuration.md', () => {
  it('lists every variable a process reads through protocol/env.ts', () => {
    const root = new URL('../../', import.meta.url);
    const table = readFileSync(new URL('docs/configuration.md', root), 'utf8');
    const read = new Set<string>();
    for (const dir of ['agent/src', 'server/src', 'dev']) {
      for (const file of readdirSync(new URL(dir, root), { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts')) continue;
        const source = readFileSync(new URL(`${dir}/${file}`, root), 'utf8');
        for (const [, name] of source.matchAll(
          /\b(?:text|integer|port|oneOf|flag|url|origins)\((?:env|process\.env), '([A-Z0-9_]+)'/g,
        ))
          read.add(name!);
      }
    }
    assert.ok(read.size > 30, `found ${read.size} variables`);
    for (const name of read) assert.match(table, new RegExp(`^\\| [^|]*\`${name}\``, 'm'), name);
  });
});
