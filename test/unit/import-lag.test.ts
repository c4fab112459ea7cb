import { describe, expect, it } from 'vitest';
import {
  addLags,
  decayed,
  emptyLagSketch,
  type FirstCheckPolicy,
  lagBucketOf,
  lagBucketUpperMs,
  lagPercentileMs,
  learnedFirstCheckMs,
} from '../../shared/domain/import-lag.js';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import { assessOrder } from '../../shared/domain/runbook/assess.js';
import { decide } from '../../shared/domain/runbook/decide.js';
import type { RunbookSettings } from '../../shared/domain/runbook/settings.js';
import { ofbizCapabilities } from '../support/fake-ports.js';
import { webOrderFacts } from '../support/order-fixtures.js';

const second = 1_000;
const minute = 60 * second;
const policy: FirstCheckPolicy = {
  floorMs: 10 * minute,
  ceilingMs: 60 * minute,
  percentile: 99.9,
  marginMs: minute,
  minSamples: 50,
};
const lags = (count: number, lag: (index: number) => number) =>
  Array.from({ length: count }, (_, i) => lag(i));

describe("a shop's import lag", () => {
  it('reads a percentile no shorter than the lags below it (bucket upper bounds, within 25 %)', () => {
    const sketch = addLags(
      emptyLagSketch(),
      lags(1000, (i) => (i + 1) * second),
    );
    const p50 = lagPercentileMs(sketch, 50) ?? 0;
    expect(p50).toBeGreaterThanOrEqual(500 * second);
    expect(p50).toBeLessThanOrEqual(1.25 * 500 * second);
    expect(lagPercentileMs(sketch, 100)).toBeGreaterThanOrEqual(1000 * second);
    expect(lagBucketUpperMs(lagBucketOf(42 * second))).toBeGreaterThanOrEqual(42 * second);
    expect(lagPercentileMs(emptyLagSketch(), 99)).toBeUndefined();
  });

  it('stays compact: at most 48 buckets whatever the lags', () => {
    const sketch = addLags(
      emptyLagSketch(),
      lags(10_000, (i) => i * 7_919),
    );
    expect(Object.keys(sketch.counts).length).toBeLessThanOrEqual(48);
    expect(sketch.total).toBe(10_000);
  });

  it('learns nothing from too few orders: the first check decides at once, as with a fixed delay', () => {
    expect(learnedFirstCheckMs(undefined, policy)).toBeUndefined();
    expect(
      learnedFirstCheckMs(
        addLags(
          emptyLagSketch(),
          lags(49, () => minute),
        ),
        policy,
      ),
    ).toBeUndefined();
  });

  it('waits the high percentile plus the margin, clamped to CHECK_DELAY_SECONDS and the ceiling', () => {
    // An OFBiz New Orders job every 15 minutes: lags spread over a quarter of an hour.
    const ofbiz = addLags(
      emptyLagSketch(),
      lags(2000, (i) => (i % 900) * second + 20 * second),
    );
    const waited = learnedFirstCheckMs(ofbiz, policy) ?? 0;
    expect(waited).toBeGreaterThan(15 * minute + minute);
    expect(waited).toBeLessThan(25 * minute);
    // Realtime Maarg: seconds; the floor holds.
    const realtime = addLags(
      emptyLagSketch(),
      lags(2000, (i) => (1 + (i % 10)) * second),
    );
    expect(learnedFirstCheckMs(realtime, policy)).toBe(policy.floorMs);
    expect(learnedFirstCheckMs(realtime, { ...policy, floorMs: 30 * second })).toBeLessThan(2 * minute);
    // A shop whose import is hours late: the ceiling holds.
    const stalled = addLags(
      emptyLagSketch(),
      lags(100, () => 5 * 60 * minute),
    );
    expect(learnedFirstCheckMs(stalled, policy)).toBe(policy.ceilingMs);
  });

  it('halves its counts past the sample cap, so a shop whose import changed is followed', () => {
    const old = addLags(
      emptyLagSketch(),
      lags(5001, () => 15 * minute),
    );
    expect(
      decayed(
        addLags(
          emptyLagSketch(),
          lags(10, () => minute),
        ),
        5000,
      ),
    ).toBeUndefined();
    const halved = decayed(old, 5000);
    expect(halved?.total).toBe(2500);
    let sketch = halved ?? old;
    for (let round = 0; round < 3; round++)
      sketch =
        decayed(
          addLags(
            sketch,
            lags(2600, () => 5 * second),
          ),
          5000,
        ) ?? sketch;
    expect(lagPercentileMs(sketch, 50)).toBeLessThan(10 * second);
  });
});

describe('the first look of an order absent before its shop usually imports it', () => {
  const t0 = Date.parse('2026-11-29T10:00:00Z');
  const settings: RunbookSettings = {
    createdStuckAfterMs: 60 * minute,
    fulfilledGraceMs: 5 * minute,
    verifyDelayMs: 5 * minute,
    maxRepairAttempts: 3,
    recheckMs: 15 * minute,
    maxRecheckMs: 360 * minute,
    awaitImportMs: 18 * minute,
  };
  const record = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({
    ...webOrderFacts(t0, { shop: 'acme.myshopify.com', orderId: '5100' }),
    state: 'pending_check',
    stateSince: t0,
    expectation: 'created',
    nextCheckAt: t0 + 10 * minute,
    repairAttempts: 0,
    version: 1,
    firstSeenAt: t0,
    source: 'webhook',
    ...overrides,
  });
  const look = (given: OrderRecord, now: number, learned: RunbookSettings = settings) => {
    const { assessment, needs } = assessOrder(given, [], now, learned);
    return {
      needs,
      decision: decide(
        given,
        assessment,
        { versions: [] },
        { now, settings: learned, capabilities: ofbizCapabilities },
      ),
    };
  };

  it('waits for the learned lag: no re-import, no Shopify or failed-record read, looked at again then', () => {
    const { needs, decision } = look(record(), t0 + 10 * minute);
    expect(decision.situation).toBe('awaiting_import');
    expect(decision.action).toBeUndefined();
    expect(decision.notify).toBeUndefined();
    expect(decision.record).toMatchObject({ state: 'pending_check', nextCheckAt: t0 + 18 * minute });
    expect(needs).toEqual({ shopify: false, importFailures: false, approval: false, reimportRun: false });
  });

  it('calls it missing and re-imports it once the learned lag has passed', () => {
    expect(look(record(), t0 + 18 * minute).decision.situation).toBe('missed_by_import');
  });

  it('decides at once when nothing is learned, and never waits on a verify or a fulfilled check', () => {
    const { awaitImportMs: _learned, ...coldStart } = settings;
    expect(look(record(), t0 + 10 * minute, coldStart).decision.situation).toBe('missed_by_import');
    expect(
      look(record({ state: 'reimport_requested', repairAttempts: 1 }), t0 + 10 * minute).decision.situation,
    ).toBe('reimport_not_landed');
    expect(look(record({ expectation: 'fulfilled' }), t0 + 10 * minute).decision.situation).not.toBe(
      'awaiting_import',
    );
  });
});
