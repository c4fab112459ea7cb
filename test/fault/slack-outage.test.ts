import { afterAll, describe, expect, it } from 'vitest';
import { killAllMonitors } from './harness/monitor.js';
import { slackOutage } from './harness/scenarios.js';

afterAll(killAllMonitors);

describe('a Slack outage, then 429 with Retry-After (#11 §4, §5)', () => {
  it('posts every due alert exactly once after Slack is back, never calling before its Retry-After', async () => {
    const figures = await slackOutage();
    console.info('fault figures', JSON.stringify(figures));
    expect(figures.deadLettered).toBeGreaterThan(0);
    expect(figures.alertsLost).toBe(0);
    expect(figures.alertsDoubled).toBe(0);
    expect(figures.earlySlackCalls).toBe(0);
    expect(figures.lost).toBe(0);
    expect(figures.stuckOrders).toEqual([]);
    expect(figures.deadLettersLeft).toBe(0);
  });
});
