/**
 * Settings from the environment, read the same way by every process (agent, BFF, local gateway,
 * launchers): empty means unset, and a value that is not what the setting takes stops the process
 * at startup with an error naming the variable, rather than running on a guess. docs/configuration.md
 * lists every variable.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** The variable's value, or `fallback` when it is unset or empty. */
export function text(env: Env, name: string, fallback: string): string;
export function text(env: Env, name: string): string | undefined;
export function text(env: Env, name: string, fallback?: string): string | undefined {
  return env[name] || fallback;
}

/** A whole number from `min` to `max`, or `fallback` when unset. */
export function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new Error(`${name} must be a whole number ${range}, not "${raw}"`);
  }
  return value;
}

/** A TCP port (0: any free one). */
export function port(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, 0, 65_535);
}

/** One of `choices`, or `fallback` when unset. */
export function oneOf<const T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (!raw) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    const allowed = choices.length === 2 ? `"${choices[0]}" or "${choices[1]}"` : `one of ${choices.join(', ')}`;
    throw new Error(`${name} must be ${allowed}, not "${raw}"`);
  }
  return raw as T;
}

/** `true` or `false`, or `fallback` when unset. */
export function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (!raw) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be "true" or "false", not "${raw}"`);
  return raw === 'true';
}

/** An absolute http(s) URL, or `fallback` when unset. */
export function url(env: Env, name: string, fallback: string): string;
export function url(env: Env, name: string): string | undefined;
export function url(env: Env, name: string, fallback?: string): string | undefined {
  const raw = env[name];
  if (!raw) return fallback;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    // reported below
  }
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:')
    throw new Error(`${name} must be an http(s) URL, not "${raw}"`);
  return raw;
}
