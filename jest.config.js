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
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
    },
    { ...shared, displayName: 'e2e', rootDir: '.', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
