import type { ChildProcess } from 'node:child_process';

/** One request from the bench to one of its child processes, answered with the same `id`. */
interface IpcRequest {
  id: number;
  type: string;
}

interface IpcReply {
  id: number;
  result?: unknown;
  error?: string;
}

/**
 * In a child process: answers the parent's requests by type. The channel does not keep the
 * process alive (SIGTERM shuts it down as it would anywhere), and the process ends with its
 * parent, so a benchmark that dies leaves nothing running.
 */
export function answerIpc(handlers: Record<string, () => unknown>): void {
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message: IpcRequest) => {
    const handler = handlers[message.type];
    if (!handler) return;
    try {
      process.send!({ id: message.id, result: await handler() } satisfies IpcReply);
    } catch (error) {
      process.send!({ id: message.id, error: String(error) } satisfies IpcReply);
    }
  });
  process.channel?.unref();
}

let nextId = 1;

/** In the bench: asks a child process something and waits for its answer. */
export function askChild<T>(child: ChildProcess, type: string): Promise<T> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (reply: IpcReply) => {
      if (reply?.id !== id) return;
      child.off('message', onMessage);
      if (reply.error) reject(new Error(`${type}: ${reply.error}`));
      else resolve(reply.result as T);
    };
    child.on('message', onMessage);
    child.send({ id, type } satisfies IpcRequest);
  });
}
