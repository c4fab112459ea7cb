import { describe, expect, it } from 'vitest';
import { delaySecondsFor } from '../../shared/adapters/sqs/check-queue.js';

const now = Date.parse('2026-11-29T10:00:00Z');

// The checker's side (a message that arrives before its due time is re-queued, not run early) is tested beside the
// use case, in shared/use-cases/check-orders/check-orders.test.ts.
describe('checks due beyond the 15-minute SQS delay limit', () => {
  it('caps the SQS delay at 900 s and never goes negative', () => {
    expect(delaySecondsFor(now + 3_600_000, now)).toBe(900);
    expect(delaySecondsFor(now + 61_500, now)).toBe(62);
    expect(delaySecondsFor(now - 5_000, now)).toBe(0);
  });
});
