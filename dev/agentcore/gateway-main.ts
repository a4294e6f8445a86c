import { port, text, url } from '../../protocol/env.ts';
import { LOCAL_RUNTIME_ARN } from '../local-runtime.ts';
import { createGateway, listenGateway } from './gateway.ts';

const runtimeUrl = url(process.env, 'AGENT_RUNTIME_URL', 'http://127.0.0.1:8080');
const gateway = await listenGateway(
  createGateway({ runtimeUrl }),
  port(process.env, 'GATEWAY_PORT', 8090),
  text(process.env, 'HOST', '127.0.0.1'),
);
console.log(`local AgentCore gateway on ${gateway.url} → ${runtimeUrl} (runtime ${LOCAL_RUNTIME_ARN})`);
