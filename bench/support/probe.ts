/**
 * Preloaded (`--import`) into the BFF process the benchmarks start from `server/src/main.ts`, so
 * the BFF under test is the one that ships, unchanged. It answers the bench over IPC with the
 * process's CPU time and its memory — RSS after a full GC (`--expose-gc`), so a sample measures
 * what the open streams hold rather than the garbage in flight at that instant.
 */
import { answerIpc } from './ipc.ts';

answerIpc({
  cpu: () => process.cpuUsage(),
  memory: () => {
    globalThis.gc?.();
    const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
    return { rss, heapTotal, heapUsed, external };
  },
});
