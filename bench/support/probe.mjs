/**
 * Preloaded (`--import`) into the BFF process the benchmarks start: the production build,
 * `server/dist/main.mjs`, run by plain Node as it ships (no TypeScript loader), so this probe is
 * plain JavaScript too. It answers the bench over IPC (the protocol of ipc.ts's `answerIpc`) with
 * the process's CPU time and its memory — RSS after a full GC (`--expose-gc`), so a sample
 * measures what the open streams hold rather than the garbage in flight at that instant.
 */
const handlers = {
  cpu: () => process.cpuUsage(),
  memory: () => {
    globalThis.gc?.();
    const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
    return { rss, heapTotal, heapUsed, external };
  },
};

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  const handler = handlers[message?.type];
  if (handler) process.send({ id: message.id, result: handler() });
});
process.channel?.unref();
