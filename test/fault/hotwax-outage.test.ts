import { afterAll, describe, expect, it } from 'vitest';
import { killAllMonitors } from './harness/monitor.js';
import { hotwaxOutage } from './harness/scenarios.js';

afterAll(killAllMonitors);

describe('a HotWax outage longer than the retry schedule (#11 §4)', () => {
  it('dead-letters the checks, then redrives them once HotWax answers and brings every order in sync', async () => {
    const figures = await hotwaxOutage();
    console.info('fault figures', JSON.stringify(figures));
    // The outage outlasted the (compressed) schedule: the DLQ was used, so the redrive is what recovered.
    expect(figures.deadLettered).toBeGreaterThan(0);
    expect(figures.lost).toBe(0);
    expect(figures.stuckOrders).toEqual([]);
    expect(figures.deadLettersLeft).toBe(0);
  });
});
