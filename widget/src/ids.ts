/**
 * A random id of 128 bits, as 32 hex digits, from the platform's cryptographic random source. In
 * anonymous mode a conversation's id is the only key to it, so it must not be guessable:
 * `crypto.randomUUID()` carries 122 random bits, not 128.
 */
export function randomId(): string {
  let hex = '';
  for (const byte of crypto.getRandomValues(new Uint8Array(16))) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
