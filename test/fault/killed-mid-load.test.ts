import { afterAll, describe, expect, it } from 'vitest';
import { killAllMonitors } from './harness/monitor.js';
import { killedMidLoad } from './harness/scenarios.js';

afterAll(killAllMonitors);

describe('npm start killed mid-load and started again on the same data (#11 §2)', () => {
  it('loses no acknowledged order and brings every order in sync once Shopify has retried', async () => {
    const figures = await killedMidLoad();
    console.info('fault figures', JSON.stringify(figures));
    expect(figures.lost).toBe(0);
    expect(figures.stuckOrders).toEqual([]);
    expect(figures.deadLettersLeft).toBe(0);
  });
});
