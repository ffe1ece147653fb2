import type { Config } from 'jest'
import config from './jest.config.ts'

// The fast tier (`npm test`): every test but those that need installed tools, the local stack,
// podman or act (*.integration.test.ts, *.e2e.test.ts); no install step, a few seconds.
const unit: Config = {
  ...config,
  testPathIgnorePatterns: ['/node_modules/', '\\.(integration|e2e)\\.test\\.ts$']
}

export default unit
