import { brokenLinks, codeBlocks, markdownFiles, pinProblem, slug } from './docs-pins.js';

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

  it.each(files)('%s: every relative link reaches a file and, with #anchor, a heading in it', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('5. Shutdown')).toBe('5-shutdown');
    expect(slug('Fire-and-forget: `start(fn, options)`')).toBe('fire-and-forget-startfn-options');
    expect(slug('From ExUnit to the testing kit')).toBe('from-exunit-to-the-testing-kit');
  });
});
