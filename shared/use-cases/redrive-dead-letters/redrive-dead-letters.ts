import { MetricName } from '../../domain/metric-names.js';
import type { Clock, DeadLetterQueue, Telemetry } from '../../domain/ports.js';

export interface RedriveDeps {
  deadLetters: DeadLetterQueue;
  telemetry: Telemetry;
  clock: Clock;
}

/** Looking at the DLQ costs a call: after a healthy batch, at most this often per process. */
export const redriveLookEveryMs = 60_000;

/**
 * "Redrive the DLQ once the dependency answers again" (#11 §4), called after every batch in which HotWax (checks)
 * or Slack (notifications) answered.
 *
 * 1. At most once a minute per process, look at the DLQ's depth.
 * 2. Nothing there: done.
 * 3. Move every message back to its queue (a message move task in AWS). A moved check whose order was meanwhile
 *    checked (the overdue sweep re-queued it) is stale and dropped by triage; a moved notification that was already
 *    posted is skipped by its posted key, so nobody hears anything twice.
 * Never throws: the batch's own outcome matters more than the redrive, which the next healthy batch tries again.
 */
export const createRedriveWhenHealthy = (deps: RedriveDeps, options: { queue: string }) => {
  let lastLookAt = Number.NEGATIVE_INFINITY;
  return async (): Promise<void> => {
    const now = deps.clock.now();
    if (now - lastLookAt < redriveLookEveryMs) return;
    lastLookAt = now;
    try {
      const waiting = await deps.deadLetters.depth();
      if (waiting === 0) return;
      const moved = await deps.deadLetters.moveBack();
      deps.telemetry.count(MetricName.DeadLettersRedriven, typeof moved === 'number' ? moved : waiting, {
        queue: options.queue,
      });
      deps.telemetry.warn('Dead-lettered messages moved back to their queue: the dependency answers again', {
        queue: options.queue,
        waiting,
        moved,
      });
    } catch (error) {
      deps.telemetry.error('Could not move dead-lettered messages back; tried again after the next batch', {
        queue: options.queue,
        error: String(error),
      });
    }
  };
};

/**
 * The sweep's probe for quiet times, when no batch comes to show the dependency healthy: one message of each DLQ
 * that holds any goes back to its queue. If it then succeeds, its batch redrives the rest; if not, it simply takes
 * the retry schedule again.
 */
export const probeDeadLetters = async (
  deps: Pick<RedriveDeps, 'telemetry'>,
  queues: ReadonlyArray<{ queue: string; deadLetters: DeadLetterQueue }>,
): Promise<number> => {
  let probes = 0;
  for (const { queue, deadLetters } of queues) {
    try {
      if ((await deadLetters.depth()) === 0) continue;
      const moved = await deadLetters.moveBack({ max: 1 });
      probes += typeof moved === 'number' ? moved : 1;
      deps.telemetry.info('Probe: one dead-lettered message moved back to its queue', { queue });
    } catch (error) {
      deps.telemetry.warn('Could not probe a dead-letter queue', { queue, error: String(error) });
    }
  }
  return probes;
};
