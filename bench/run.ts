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
  // Several shops on one queue: only when asked for by name (it loads the checker function with its own SHOPS_FILE).
  if (only === 'shops') {
    const { benchShops } = await import('./shops.bench.js');
    printTable(
      "Several shops: the trickle shop's detection latency during another shop's 2,000-order flash sale",
      await benchShops(),
    );
  }
  if (only === 'cost') {
    const { counted, bill } = await (await import('./cost.bench.js')).benchCost();
    printTable('Cost mix: requests counted against the emulators', counted);
    printTable('AWS bill per million orders', bill);
  }
  if (only === 'local-ingest')
    printTable(
      'Sustained ingest through npm start (2 cores)',
      await (await import('./local-ingest.bench.js')).benchLocalIngest(),
    );
  // Minutes, not seconds: only when asked for by name.
  if (only === 'faults') await (await import('./faults.bench.js')).benchFaults();
  if ((!only || only === 'sweep') && existsSync(new URL('./sweep.bench.ts', import.meta.url))) {
    const { benchSweep } = (await import('./sweep.bench.js')) as {
      benchSweep: (options?: { plan?: 'plus' | 'standard' }) => Promise<Record<string, number | string>>;
    };
    printTable('Reconciliation sweep', await benchSweep());
    // The same 10,000 orders against a standard plan's bucket (2,000 points, 100/s), throttling for real.
    printTable('Reconciliation sweep on a standard-plan shop', await benchSweep({ plan: 'standard' }));
  }
  process.exit(0);
};

void main();
