/**
 * Two projects: unit specs sit beside the code (`src/**\/*.spec.ts`), end-to-end specs boot real Nest
 * apps from `test/`. Both run as native ESM (Nest 12 is ESM-only) through ts-jest in transpile-only
 * mode; type errors are caught by `npm run typecheck`, which `npm test` runs first.
 */
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^nestjs-genserver$': '<rootDir>/src/index.ts',
    '^nestjs-genserver/runtime$': '<rootDir>/src/runtime/index.ts',
    '^nestjs-genserver/testing$': '<rootDir>/libs/testing/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/libs/testing/**/*.spec.ts'],
    },
    {
      // The schematics are CommonJS (the Nest CLI require()s them), and so is the devkit that runs them.
      displayName: 'schematics',
      rootDir: '.',
      testEnvironment: 'node',
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: ['<rootDir>/libs/schematics/**/*.spec.ts'],
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      transform: {
        '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/libs/schematics/tsconfig.spec.json' }],
      },
    },
    { ...shared, displayName: 'e2e', rootDir: '.', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
