import type { Config } from 'jest'

// ESM mode: the @actions/* toolkit majors are ESM-only, so tests run as native ES modules
// (node --experimental-vm-modules) and ts-jest only strips types.
const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@release/shared$': '<rootDir>/packages/shared/src/index.ts',
    '^@release/shared/(.*)$': '<rootDir>/packages/shared/src/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1'
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  testMatch: [
    '<rootDir>/packages/*/test/**/*.test.ts',
    '<rootDir>/actions/*/test/**/*.test.ts',
    '<rootDir>/test/**/*.test.ts'
  ],
  testTimeout: 120000,
  // Integration tests share one local stack per file; two workers fit this 2-core machine.
  maxWorkers: 2
}

export default config
