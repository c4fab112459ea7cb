import { defineConfig } from 'vitest/config';

/**
 * `npm run test:fault`: the fault suite (#11). Each file drives its own `npm start` child process (DynamoDB Local,
 * fauxqs, the real handlers) against the simulators, so the files run one at a time on two cores.
 */
export default defineConfig({
  test: {
    include: ['test/fault/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
