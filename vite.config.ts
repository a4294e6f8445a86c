import { defineConfig } from 'vite';

// The widget ships as ONE self-contained script (Lit bundled in): an IIFE for a plain
// <script src> tag, plus an ES module for bundlers.
export default defineConfig({
  build: {
    outDir: 'dist',
    target: 'es2021',
    // The IIFE is what sites load: minified (the ES build keeps its whitespace for bundlers).
    minify: true,
    // ASCII only: a host page served without a UTF-8 charset must not garble "Thinking…".
    rolldownOptions: { output: { charset: 'ascii' } },
    lib: {
      entry: 'widget/src/index.ts',
      name: 'AgentChat',
      formats: ['iife', 'es'],
      fileName: (format) => (format === 'iife' ? 'agent-chat.js' : 'agent-chat.mjs'),
    },
  },
});
