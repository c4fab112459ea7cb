import type { CheckMessage, TimelineEvent } from '../../domain/order-sync.js';
import { inGroup } from '../../domain/states.js';
import { mapLimit } from '../map-limit.js';
import { iso, type SweepRun, writeConcurrency } from './sweep-run.js';

/**
 * Re-queues checks whose `nextCheckAt` is past due by more than the grace (never queued, or the message was lost):
 * a fresh `nextCheckAt` with a conditional save, then the check (SweepOverdueChecksRecovered).
 */
export const recoverOverdue = async (run: SweepRun): Promise<void> => {
  const { deps, summary } = run;
  const { shop, overdueGraceMs, overdueLimit } = deps.settings;
  const at = deps.clock.now();
  const overdue = await deps.store.listOverdue(shop, at - overdueGraceMs, overdueLimit);
  const checks: CheckMessage[] = [];
  await mapLimit(
    overdue.filter((record) => inGroup(record.state, 'checkOwed')),
    writeConcurrency,
    async (record) => {
      const lostAt = record.nextCheckAt ?? 0;
      const event: TimelineEvent = {
        at,
        type: 'sweep.check_recovered',
        state: record.state,
        message:
          lostAt > 0
            ? `The check due ${iso(lostAt)} never ran (its message was lost); the reconciliation sweep queued it again.`
            : 'The check was never queued; the reconciliation sweep queued it.',
        detail: { lostCheckAt: lostAt },
      };
      const saved = await deps.store.save(
        { ...record, nextCheckAt: at },
        { expectedVersion: record.version, events: [event], now: at },
      );
      // A conflict means the checker or a webhook moved the order on: its chain is alive.
      if (saved.result === 'saved')
        checks.push({ v: 1, shop, orderId: record.orderId, reason: 'sweep', dueAt: at });
    },
  );
  // Should this fail, the fresh nextCheckAt becomes overdue in turn and the next sweep queues it again.
  if (checks.length > 0) await deps.queue.schedule(checks, at);
  summary.overdueRecovered += checks.length;
};
