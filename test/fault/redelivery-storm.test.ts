import { afterAll, describe, expect, it } from 'vitest';
import { killAllMonitors } from './harness/monitor.js';
import { redeliveryStorm } from './harness/scenarios.js';

afterAll(killAllMonitors);

describe('a redelivery storm against npm start (#11 §1, §9)', () => {
  it('records every acknowledged order and brings each in sync, with webhooks racing its checks', async () => {
    const figures = await redeliveryStorm();
    console.info('fault figures', JSON.stringify(figures));
    expect(figures.lost).toBe(0);
    expect(figures.stuckOrders).toEqual([]);
    expect(figures.deadLettersLeft).toBe(0);
  });
});
