/**
 * Answers of about 100 KB without a single blank line — the shapes that give a streaming renderer
 * no place to cut: one table, one list, one paragraph (a single line, as models write them). Each
 * is mixed markdown (emphasis, code, links) and ends with a sentinel word.
 */
export interface LongAnswer {
  name: string;
  text: string;
  sentinel: string;
}

const fill = (line: (i: number) => string, size: number, head = '') => {
  let text = head;
  for (let i = 0; text.length < size; i++) text += line(i);
  return text;
};

export function longAnswers(size = 100_000): LongAnswer[] {
  return [
    {
      name: 'table',
      text: fill(
        (i) => `| row ${i} | **${i * 7}** | \`code_${i}\` | [link](https://example.com/${i}) |\n`,
        size,
        '| name | value | code | link |\n|---|--:|:-:|---|\n',
      ),
    },
    {
      name: 'list',
      text: fill((i) => `- item ${i} with *emphasis*, \`code\` and a [link](https://example.com/${i})\n`, size),
    },
    {
      name: 'paragraph',
      text: fill(
        (i) => `word ${i} with *emphasis* and \`code\` and [a link](https://example.com/${i}) then more words, `,
        size,
      ),
    },
  ].map(({ name, text }) => ({ name, text: `${text}ENDLONG${name}`, sentinel: `ENDLONG${name}` }));
}
