import { defineConfig, type Plugin } from 'vite';

/**
 * Lit's `css` templates ship as written: comments, indentation and all. This strips comments and
 * the whitespace no CSS parser needs (around braces, semicolons, commas, child combinators and after
 * a declaration's colon, and runs of it) from the static text of every css`…` in the widget's
 * styles, leaving `${…}` parts alone. Other spaces are kept, as one: they can mean something
 * (`a :focus`, `0 2px`). The styles hold no strings these rules could change (a test renders them).
 */
function minifyCssTemplates(): Plugin {
  const minify = (css: string) =>
    css
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,>])\s*/g, '$1')
      .replace(/:\s+/g, ':')
      .replace(/;}/g, '}');
  return {
    name: 'minify-css-templates',
    transform(code, id) {
      if (!/\/widget\/src\/styles\/[^/]+\.ts$/.test(id)) return undefined;
      return code.replace(
        /css`([^`]*)`/g,
        (_, body: string) =>
          `css\`${body
            .split(/(\$\{[^}]*\})/)
            .map((part, i) => (i % 2 ? part : minify(part)))
            .join('')}\``,
      );
    },
  };
}

// The widget ships as ONE self-contained script (Lit bundled in): an IIFE for a plain
// <script src> tag, plus an ES module for bundlers.
export default defineConfig({
  plugins: [minifyCssTemplates()],
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
