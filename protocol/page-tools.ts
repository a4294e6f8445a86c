import {
  PAGE_TOOL_DESCRIPTION_MAX_CHARS,
  PAGE_TOOL_PARAMETERS_MAX_CHARS,
  PAGE_TOOL_PARAMETERS_MAX_DEPTH,
  PAGE_TOOLS_MAX,
  type PageTool,
  TOOL_NAME_PATTERN,
} from './agent-request.ts';
import { isPlainObject } from './json.ts';

/**
 * What page tools a request may bring (Wire 1's `tools`, or an AG-UI RunAgentInput's): checked the
 * same way by the agent, which runs them, and by the BFF, which refuses a bad list with a 400 before
 * any agent is called.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const bad = (message: string): Checked<never> => ({ ok: false, message: `Bad page tools: ${message}` });

/** How deeply `value` nests, counted without recursion (a hostile schema may nest a million levels) and given up past `limit`. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Checks a request's `tools`: at most PAGE_TOOLS_MAX, each named like a provider's tool (and not
 * like one of the agent's own, `reserved`), described, with an object JSON Schema of bounded size
 * and depth (absent: one without properties). Absent, null or empty means none.
 */
export function checkPageTools(raw: unknown, reserved: ReadonlySet<string> = new Set()): Checked<PageTool[]> {
  if (raw === undefined || raw === null) return { ok: true, value: [] };
  if (!Array.isArray(raw)) return bad('"tools" must be an array of {name, description, parameters}.');
  if (raw.length > PAGE_TOOLS_MAX) return bad(`at most ${PAGE_TOOLS_MAX} tools, not ${raw.length}.`);
  const list: PageTool[] = [];
  const names = new Set<string>();
  for (const [i, item] of raw.entries()) {
    if (!isPlainObject(item)) return bad(`tool ${i} is not an object.`);
    const { name, description, parameters = { type: 'object', properties: {} } } = item;
    if (typeof name !== 'string' || !TOOL_NAME_PATTERN.test(name))
      return bad(`tool ${i}'s name must be 1-64 letters, digits, "_" or "-".`);
    if (reserved.has(name)) return bad(`"${name}" is the name of one of the agent's own tools.`);
    if (names.has(name)) return bad(`"${name}" is named twice.`);
    if (typeof description !== 'string' || !description.trim()) return bad(`"${name}" needs a description.`);
    if (description.length > PAGE_TOOL_DESCRIPTION_MAX_CHARS)
      return bad(`"${name}"'s description is longer than ${PAGE_TOOL_DESCRIPTION_MAX_CHARS} characters.`);
    if (!isPlainObject(parameters) || parameters.type !== 'object')
      return bad(`"${name}"'s parameters must be a JSON Schema of type "object".`);
    if (depthExceeds(parameters, PAGE_TOOL_PARAMETERS_MAX_DEPTH))
      return bad(`"${name}"'s parameters nest deeper than ${PAGE_TOOL_PARAMETERS_MAX_DEPTH} levels.`);
    if (JSON.stringify(parameters).length > PAGE_TOOL_PARAMETERS_MAX_CHARS)
      return bad(`"${name}"'s parameters are longer than ${PAGE_TOOL_PARAMETERS_MAX_CHARS} characters of JSON.`);
    names.add(name);
    list.push({ name, description, parameters });
  }
  return { ok: true, value: list };
}
