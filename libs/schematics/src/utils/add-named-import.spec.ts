import { addNamedImport } from './add-named-import.js';

describe('addNamedImport', () => {
  it('adds an import after the last one, multi-line imports included', () => {
    const source =
      "import { Module } from '@nestjs/common';\nimport {\n  A,\n  B,\n} from './ab';\n\n@Module({})\nexport class M {}\n";

    expect(addNamedImport(source, 'GenServerModule', 'nestjs-genserver')).toBe(
      "import { Module } from '@nestjs/common';\nimport {\n  A,\n  B,\n} from './ab';\nimport { GenServerModule } from 'nestjs-genserver';\n\n@Module({})\nexport class M {}\n",
    );
  });

  it('adds the name to an existing import from the package, once', () => {
    const source = "import { GenServer } from 'nestjs-genserver';\n";

    const added = addNamedImport(source, 'GenServerModule', 'nestjs-genserver');

    expect(added).toBe("import { GenServer, GenServerModule } from 'nestjs-genserver';\n");
    expect(addNamedImport(added, 'GenServerModule', 'nestjs-genserver')).toBe(added);
  });

  it('puts it first in a file without imports', () => {
    expect(addNamedImport('export class M {}\n', 'X', 'x')).toBe(
      "import { X } from 'x';\nexport class M {}\n",
    );
  });
});
