import { existsSync } from 'node:fs';
import { benchChecker } from './checker.bench.js';
import { benchDetection } from './detection.bench.js';
import { benchIngest } from './ingest.bench.js';
import { printTable } from './stats.js';

/** `npm run bench`: figures, not pass/fail — these machines are shared and noisy. */
const main = async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const only = process.argv[2];
  if (!only || only === 'ingest') printTable('Webhook ingest (issue: ingest)', await benchIngest());
  if (!only || only === 'checker') {
    for (const backend of ['ofbiz', 'maarg'] as const)
      printTable(
        `Checker on a HotWax ${backend} tenant: HotWax calls per order`,
        await benchChecker(backend),
      );
    printTable(
      'First check: detection latency and needless re-imports (simulated import lags)',
      benchDetection(),
    );
  }
  // Minutes, not seconds: only when asked for by name.
  if (only === 'faults') await (await import('./faults.bench.js')).benchFaults();
  if ((!only || only === 'sweep') && existsSync(new URL('./sweep.bench.ts', import.meta.url))) {
    const { benchSweep } = (await import('./sweep.bench.js')) as {
      benchSweep: () => Promise<Record<string, number | string>>;
    };
    printTable('Reconciliation sweep', await benchSweep());
  }
  process.exit(0);
};

void main();
