/** The options every generator of the collection takes (the Nest CLI passes most of them itself). */
export interface GeneratorOptions {
  /** The name, possibly with a path: `prices` or `billing/prices`. */
  name: string;
  /** Where to create it, relative to the source root. */
  path?: string;
  /** The project's source root (the Nest CLI passes it from nest-cli.json). */
  sourceRoot?: string;
  /** Create the files in `path` itself rather than in a folder of their own. */
  flat?: boolean;
  /** Create a spec file beside the class. */
  spec?: boolean;
  /** The suffix of spec files (`spec` → `prices.server.spec.ts`). */
  specFileSuffix?: string;
  /** Do not register the class in the nearest module. */
  skipImport?: boolean;
  /** The project's language: only TypeScript is supported. */
  language?: string;
  /** Format the generated files with Prettier, if the project has it. */
  format?: boolean;
}
