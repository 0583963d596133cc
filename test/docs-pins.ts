import { readFileSync } from 'node:fs';

/** Code without layout: imports, whitespace, `export` and the trailing commas Prettier adds when it wraps. */
function normalize(code: string): string {
  return code
    .replace(/^import [\s\S]*?;\n/gm, '')
    .replace(/\bexport /g, '')
    .replace(/\s+/g, '')
    .replace(/,([)\]}])/g, '$1');
}

/** The repository's root, as a file URL ending in `/`. */
const ROOT = new URL('../', import.meta.url).href;

/**
 * The code blocks of a guide marked `<!-- pinned: <path of the spec from the repository root> -->`
 * (e.g. `test/docs-tasks.e2e-spec.ts`) that the spec at `specUrl` does not contain verbatim (layout and
 * import lines aside), and how many blocks are pinned to it. A docs spec asserts the list is empty, so a
 * guide cannot drift from the code its spec runs.
 */
export function unpinnedBlocks(guide: string, specUrl: string): { pinned: number; missing: string[] } {
  const spec = normalize(readFileSync(new URL(specUrl), 'utf8'));
  const marker = `<!-- pinned: ${specUrl.slice(ROOT.length)} -->`;
  const text = readFileSync(new URL(`../docs/${guide}`, import.meta.url), 'utf8');
  const blocks = text
    .split(marker)
    .slice(1)
    .map((after) => /^\s*```ts\n([\s\S]*?)```/.exec(after)?.[1] ?? '(no ts code block after the marker)');
  return { pinned: blocks.length, missing: blocks.filter((block) => !spec.includes(normalize(block))) };
}
