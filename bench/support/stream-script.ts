/**
 * What the synthetic AgentCore endpoint plays for one invocation. The client sends it as the
 * prompt (through the BFF: as the chat message, which the BFF passes on as the prompt), so the
 * same script drives both paths of a comparison.
 */
export interface StreamScript {
  /** The stream's number, echoed in every token so the client can check what arrived. */
  stream: number;
  /** LLM_TOKEN events between AGENT_START and AGENT_END (ignored with `hold`). */
  tokens: number;
  /** Pause between tokens; 0 streams them as fast as the socket takes them. */
  intervalMs: number;
  /** Delay before the first token, to spread paced streams evenly over an interval. */
  offsetMs?: number;
  /** Hold the tokens back until the endpoint is released, so that many streams start at once. */
  startOnRelease?: boolean;
  /** Send a token every `intervalMs` until the endpoint is released, then a last one and AGENT_END. */
  hold?: boolean;
}

/** The text after the stamp of a held stream's final token. */
export const LAST_TOKEN = 'last';

/**
 * A token's delta: `<stream>.<seq>.<send time> <text>`. The send time is `process.hrtime.bigint()`,
 * CLOCK_MONOTONIC on Linux, which every process on the machine shares: the endpoint stamps it in its
 * process and the client subtracts it from its own clock in another.
 */
export function stampedDelta(stream: number, seq: number, text: string): string {
  return `${stream}.${seq}.${process.hrtime.bigint()} ${text}`;
}

export interface Stamp {
  stream: number;
  seq: number;
  sentNs: bigint;
  text: string;
}

export function readStamp(delta: string): Stamp {
  const match = /^(\d+)\.(\d+)\.(\d+) (.*)$/s.exec(delta);
  if (!match) throw new Error(`Not a stamped token: ${JSON.stringify(delta.slice(0, 80))}`);
  return { stream: Number(match[1]), seq: Number(match[2]), sentNs: BigInt(match[3]!), text: match[4]! };
}
