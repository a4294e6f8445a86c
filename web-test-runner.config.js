// Widget tests: the real <agent-chat> in headless Chromium (Debian's, at CHROME_PATH).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
// Loaded by npm run test:widget under tsx, which lets this plain config import TypeScript.
import { scriptedBff } from './widget/test/scripted-bff.ts';

export default {
  // widget/test/node/ holds the parser's own tests, which run in Node (npm run test:node).
  files: ['widget/test/*.test.ts'],
  nodeResolve: true,
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json' })],
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
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      },
    }),
  ],
};
