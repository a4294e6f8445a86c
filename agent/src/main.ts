import { loadConfig } from './configuration.ts';
import { buildGraph } from './graph.ts';
import { BoundedMemorySaver } from './memory.ts';
import { createModel } from './model.ts';
import { createRuntime } from './runtime.ts';
import { tools } from './tools.ts';

const config = loadConfig();
const graph = buildGraph({
  model: createModel(config),
  tools,
  checkpointer: new BoundedMemorySaver(config.maxSessions),
  maxSteps: config.maxSteps,
  memoryTokens: config.memoryTokens,
});
const runtime = await createRuntime({ graph }).listen(config.port, config.host);
console.log(`agent runtime (${config.modelProvider} model) listening on ${runtime.url}`);
