/** A JSON object (not null, not an array): what every reader of a parsed body or event checks first. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
