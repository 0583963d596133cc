/**
 * Adds `name` to the import from package `from` in a file's source: into an existing
 * `import { ... } from 'from'`, or as a new import after the last one. Leaves the source as it is
 * when the name is already imported from there.
 */
export function addNamedImport(source: string, name: string, from: string): string {
  const existing = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*['"]${escape(from)}['"];?`);
  const match = existing.exec(source);
  if (match !== null) {
    const names = (match[1] as string)
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    if (names.some((part) => part === name || part.endsWith(` as ${name}`))) return source;
    return source.replace(existing, `import { ${[...names, name].join(', ')} } from '${from}';`);
  }
  const lines = source.split('\n');
  let last = -1;
  lines.forEach((line, index) => {
    if (/^import\s/.test(line) || /\bfrom\s+['"][^'"]+['"];?\s*$/.test(line)) last = index;
  });
  lines.splice(last + 1, 0, `import { ${name} } from '${from}';`);
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
