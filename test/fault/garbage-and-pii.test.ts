import { afterAll, describe, expect, it } from 'vitest';
import { killAllMonitors } from './harness/monitor.js';
import { garbageAndPii } from './harness/scenarios.js';

afterAll(killAllMonitors);

describe('fuzzed webhooks and routes, and PII in HotWax error texts (#11 §6, §7, §8, §10)', () => {
  it('answers no garbage with a 5xx, stores nothing unauthenticated, and keeps no PII at rest or in any answer', async () => {
    const figures = await garbageAndPii();
    console.info('fault figures', JSON.stringify({ ...figures, requests: figures.requests }));
    expect(figures.fiveXx).toBe(0);
    expect(figures.unexpected).toEqual([]);
    expect(figures.unauthenticatedStored).toBe(0);
    expect(figures.lost).toBe(0);
    expect(figures.stuckOrders).toEqual([]);
    expect(figures.piiFound).toEqual([]);
  });
});
