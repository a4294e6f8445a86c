/**
 * Markdown conformance: the widget's parser (widget/src/markdown/) against the CommonMark spec's
 * examples (npm `commonmark-spec`, 0.31.2) for every section whose constructs docs/widget.md says the
 * widget renders, written as the spec's reference HTML and compared (bench/support/commonmark.ts).
 * Prints the pass rate per section and the failing examples; the figure is the whole rate, against
 * the 96 % that widget/test/node/markdown-parser.test.ts holds npm test to.
 */
import { conformance } from './support/commonmark.ts';
import { figure, main } from './support/report.ts';

main(async () => {
  const results = conformance();
  console.log("markdown: CommonMark 0.31.2 examples of the claimed sections through the widget's parser");
  for (const { section, passed, total, failed } of results) {
    console.log(
      `  ${section.padEnd(30)} ${String(passed).padStart(4)} / ${String(total).padEnd(4)} ${((100 * passed) / total).toFixed(1).padStart(5)} %${failed.length ? `   failing: ${failed.join(', ')}` : ''}`,
    );
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const total = results.reduce((n, r) => n + r.total, 0);
  console.log(`  all claimed sections: ${passed} of ${total}`);
  figure(
    'markdown · CommonMark conformance, claimed',
    (100 * passed) / total,
    { kind: 'min', value: 96 },
    (n) => `${n.toFixed(1)} %`,
  );
});
