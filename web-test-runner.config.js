// Widget tests: the real <agent-chat> in headless Chromium (Debian's, at CHROME_PATH).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
// Loaded by npm run test:widget under tsx, which lets this plain config import TypeScript.
import { OfflineChatModel } from './agent/src/offline-model.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './dev/support/chromium.ts';
import { freePort } from './dev/support/free-port.ts';
import { startStack } from './test/support/stack.ts';
import { scriptedBff } from './widget/test/scripted-bff.ts';
import { startThirdPartyAgent } from './widget/test/third-party-agent.ts';

const port = await freePort();
// The AWS SDK's notice that it will need Node 22 is not the test run's to act on (as in npm start).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * The AG-UI endpoints the widget's AG-UI tests talk to, each on an origin of its own: the real
 * stack (BFF → AWS SDK → local AgentCore gateway → agent runtime, on the offline model), whose
 * ALLOWED_ORIGINS lists this test page's, and a third-party AG-UI server built from @ag-ui/encoder.
 * The page asks for their URLs at /ag-ui-endpoints.
 */
function agUiEndpoints() {
  /** @type {{ stack?: import('./test/support/stack.ts').Stack, agent?: import('./widget/test/third-party-agent.ts').ThirdPartyAgent }} */
  const running = {};
  return {
    name: 'ag-ui-endpoints',
    async serverStart() {
      running.stack = await startStack({
        // Tokens a user can watch arrive (and stop), as in npm start.
        model: new OfflineChatModel({ tokenDelayMs: 30 }),
        env: { ALLOWED_ORIGINS: `http://localhost:${port},http://127.0.0.1:${port}`, LOG_LEVEL: 'silent' },
      });
      running.agent = await startThirdPartyAgent();
    },
    async serverStop() {
      await running.stack?.close();
      await running.agent?.close();
    },
    serve(context) {
      if (context.path !== '/ag-ui-endpoints') return undefined;
      return {
        body: JSON.stringify({ bff: running.stack?.url, thirdParty: running.agent?.url }),
        type: 'application/json',
      };
    },
  };
}

export default {
  // widget/test/node/ holds the parser's own tests, which run in Node (npm run test:node).
  files: ['widget/test/*.test.ts'],
  port,
  nodeResolve: true,
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json' }), agUiEndpoints()],
  middleware: [scriptedBff()],
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  browsers: [
    chromeLauncher({
      // The copy button writes to the real clipboard: grant what a user's click would allow.
      async createPage({ browser, context }) {
        const cdp = await browser.target().createCDPSession();
        await cdp.send('Browser.grantPermissions', { permissions: ['clipboardReadWrite', 'clipboardSanitizedWrite'] });
        return context.newPage();
      },
      launchOptions: {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_ARGS,
      },
    }),
  ],
};
