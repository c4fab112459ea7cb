import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'shared/**/*.test.ts'],
    // The fault suite runs on its own (`npm run test:fault`, vitest.fault.config.ts).
    exclude: ['test/fault/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: integration files share one DynamoDB Local and one fauxqs, each file with its own table and queues.
    maxWorkers: 2,
    // Powertools would print every log line and EMF blob; tests assert on state instead.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
