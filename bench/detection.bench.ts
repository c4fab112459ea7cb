import { checkerBatching, importLagLearning, timingFields } from '../shared/config/config.js';
import { addLags, decayed, emptyLagSketch, learnedFirstCheckMs } from '../shared/domain/import-lag.js';
import { percentile, round } from './stats.js';

/** A seeded PRNG (mulberry32): the same figures on every run. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const normal = (next: () => number) =>
  Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());

/**
 * Simulated import lags (order creation in Shopify → first seen in HotWax), by backend:
 * - Maarg realtime (Shopify → EventBridge → SQS → consume_ShopifyOrders_SQS): seconds, log-normal, median 5 s;
 * - OFBiz New Orders job every 15 minutes (HotWax's recommended frequency): a uniform wait for the next run plus the
 *   run's own import time (log-normal, median 20 s).
 */
const lagModels = {
  maarg: (next: () => number) => 5_000 * Math.exp(1.0 * normal(next)),
  ofbiz: (next: () => number) => next() * 15 * 60_000 + 20_000 * Math.exp(0.5 * normal(next)),
} as const;

const trainingOrders = 5_000;
const evaluatedOrders = 200_000;

/**
 * Detection latency of a lost order (creation → the check that calls it missing) and needless re-imports (a repair
 * for an order that would have arrived anyway: its lag exceeds the wait), for today's fixed CHECK_DELAY_SECONDS and
 * for the wait learned from the shop's in-sync checks, at the default floor and at a low one.
 */
export const benchDetection = (): Record<string, number | string> => {
  const fixedMs = timingFields.parse({}).CHECK_DELAY_SECONDS * 1000;
  const ceilingMs = timingFields.parse({}).CHECK_DELAY_MAX_SECONDS * 1000;
  const windowMs = checkerBatching.maxBatchingWindowSeconds * 1000;
  const rows: Record<string, number | string> = {};
  for (const backend of ['maarg', 'ofbiz'] as const) {
    const next = random(backend === 'maarg' ? 1 : 2);
    const lag = () => lagModels[backend](next);
    // What the in-sync checks teach the shop's sketch (decayed as in the table).
    let sketch = emptyLagSketch();
    for (let start = 0; start < trainingOrders; start += checkerBatching.batchSize) {
      sketch = addLags(sketch, Array.from({ length: checkerBatching.batchSize }, lag));
      sketch = decayed(sketch, importLagLearning.maxSamples) ?? sketch;
    }
    const lags = Array.from({ length: evaluatedOrders }, lag);
    const describe = (name: string, waitMs: number, floorMs: number) => {
      const detection = lags.map(() => waitMs + next() * windowMs);
      const needless = lags.filter((value) => value > waitMs).length / lags.length;
      const lookedTwice = lags.filter((value) => value > floorMs && waitMs > floorMs).length / lags.length;
      rows[`${backend}: ${name}: wait before "missing" (s)`] = round(waitMs / 1000, 0);
      rows[`${backend}: ${name}: detection p50 / p95 (s)`] =
        `${round(percentile(detection, 50) / 1000, 0)} / ${round(percentile(detection, 95) / 1000, 0)}`;
      rows[`${backend}: ${name}: needless re-imports`] = `${round(needless * 100, 3)} %`;
      rows[`${backend}: ${name}: orders looked at twice`] = `${round(lookedTwice * 100, 2)} %`;
    };
    rows[`${backend}: simulated lag p50 / p99 / p99.9 (s)`] = [50, 99, 99.9]
      .map((p) => round(percentile(lags, p) / 1000, 0))
      .join(' / ');
    describe(`fixed CHECK_DELAY_SECONDS=${fixedMs / 1000} (before)`, fixedMs, fixedMs);
    for (const floorMs of [fixedMs, 60_000]) {
      const learned =
        learnedFirstCheckMs(sketch, {
          floorMs,
          ceilingMs,
          percentile: importLagLearning.percentile,
          marginMs: importLagLearning.marginSeconds * 1000,
          minSamples: importLagLearning.minSamples,
        }) ?? floorMs;
      describe(`learned, floor ${floorMs / 1000} s`, learned, floorMs);
    }
  }
  return rows;
};
