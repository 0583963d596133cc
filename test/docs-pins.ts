import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** The repository's root, as a file URL ending in `/`. */
const ROOT = new URL('../', import.meta.url);

/** Folders `npm run typecheck` compiles (tsconfig.json's `include`): a block pinned there is type-checked. */
const TYPE_CHECKED = ['src/', 'libs/', 'apps/', 'test/', 'bench/'];

const MARKER = /^<!-- pinned: (\S+) -->$/;

/** A ```ts block of a Markdown file, and the pin marker on the last non-blank line before it. */
export interface CodeBlock {
  /** `docs/guide.md:42`: the file and the line of the opening fence. */
  readonly where: string;
  readonly code: string;
  /** The repository-relative path the block is pinned to, if it is. */
  readonly pin: string | undefined;
}

/** Code without layout: imports, whitespace, `export` and the trailing commas Prettier adds when it wraps. */
export function normalize(code: string): string {
  return code
    .replace(/^import [\s\S]*?;\n/gm, '')
    .replace(/\bexport /g, '')
    .replace(/\s+/g, '')
    .replace(/,([)\]}])/g, '$1');
}

/** README.md and every guide in docs/, as repository-relative paths. */
export function markdownFiles(): string[] {
  const docs = readdirSync(new URL('docs/', ROOT)).filter((name) => name.endsWith('.md'));
  return ['README.md', ...docs.sort().map((name) => `docs/${name}`)];
}

/** The ```ts blocks of a repository-relative Markdown file, with their pins. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(new URL(file, ROOT), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)/.exec(lines[i]!);
    if (fence === null) continue;
    const start = i;
    do i++;
    while (i < lines.length && !lines[i]!.startsWith('```'));
    if (fence[1] !== 'ts' && fence[1] !== 'typescript') continue;
    let above = start - 1;
    while (above >= 0 && lines[above]!.trim() === '') above--;
    const pin = above >= 0 ? MARKER.exec(lines[above]!.trim())?.[1] : undefined;
    blocks.push({ where: `${file}:${start + 1}`, code: lines.slice(start + 1, i).join('\n'), pin });
  }
  return blocks;
}

/**
 * Why a block cannot be trusted to compile, or undefined when it can: it must be pinned
 * (`<!-- pinned: test/some.e2e-spec.ts -->` on the line above its fence) to a type-checked file that
 * contains it verbatim — layout, import lines and `export` aside.
 */
export function pinProblem(block: CodeBlock): string | undefined {
  const { pin } = block;
  if (pin === undefined) return 'not pinned: put <!-- pinned: <file> --> above it';
  if (!TYPE_CHECKED.some((folder) => pin.startsWith(folder)) || pin.includes('..')) {
    return `pinned to ${pin}, which npm run typecheck does not compile`;
  }
  const url = new URL(pin, ROOT);
  if (!existsSync(url)) return `pinned to ${pin}, which does not exist`;
  if (!normalize(readFileSync(url, 'utf8')).includes(normalize(block.code))) {
    return `not found verbatim in ${pin}`;
  }
  return undefined;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * Relative links of a repository-relative Markdown file (`[text](path#anchor)`, outside code blocks)
 * whose file does not exist or whose anchor matches no heading of the target.
 */
export function brokenLinks(file: string): string[] {
  const text = readFileSync(new URL(file, ROOT), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target!)) continue;
    const [path, anchor] = target!.split('#') as [string, string | undefined];
    const url = path === '' ? new URL(file, ROOT) : new URL(path, new URL(file, ROOT));
    if (!existsSync(url)) {
      broken.push(`${target}: no such file`);
      continue;
    }
    if (anchor === undefined || !url.pathname.endsWith('.md')) continue;
    const headings = readFileSync(url, 'utf8')
      .replace(/^```[\s\S]*?^```/gm, '')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slug(line.replace(/^#+ /, '')));
    if (!headings.includes(anchor)) broken.push(`${target}: no heading '${anchor}'`);
  }
  return broken;
}
