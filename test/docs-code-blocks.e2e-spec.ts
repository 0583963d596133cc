import { codeBlocks, markdownFiles, pinProblem } from './docs-pins.js';

/**
 * Every TypeScript block in README.md and docs/ is pinned to a file `npm run typecheck` compiles (most
 * of them to the spec that also runs it), so no guide can show code that does not build against today's
 * API. Changing an API makes this spec name each block to update.
 */
describe('code blocks of the docs', () => {
  const files = markdownFiles();

  it('finds the guides', () => {
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'docs/getting-started.md', 'docs/testing.md']),
    );
  });

  it.each(files)('%s: every ts block is pinned to type-checked code that contains it', (file) => {
    const problems = codeBlocks(file).flatMap((block) => {
      const problem = pinProblem(block);
      return problem === undefined ? [] : [`${block.where}: ${problem}`];
    });
    expect(problems).toEqual([]);
  });
});
