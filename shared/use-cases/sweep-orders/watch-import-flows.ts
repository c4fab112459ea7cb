import { MetricName } from '../../domain/metric-names.js';
import type { SweepCheckpoint } from '../../domain/ports.js';
import { importFlowNotification } from './sweep-notifications.js';
import type { SweepRun } from './sweep-run.js';

type FlowStatuses = SweepCheckpoint['importFlows'];

/**
 * The shop's HotWax, once per sweep.
 *
 * 1. Restore the job parameters a crashed re-import left swapped (Maarg's fromDate swap; `recoverInterruptedRepairs`),
 *    so HotWax's own fallback sync is back on its schedule's parameters within one sweep interval
 *    (InterruptedRepairsRecovered).
 * 2. "Monitor the three flows independently", as HotWax says: the realtime consumer and the shop's fallback sync
 *    (Maarg), the New Orders job (OFBiz). Each flow emits ImportFlowUnhealthy (1 paused, missing or failing; 0
 *    clean) with its `flow` dimension, which the HotwaxImportFlowUnhealthy alarm reads.
 * 3. People hear once when a flow turns unhealthy (or unhealthy in another way), and once when it runs clean again:
 *    the statuses are remembered in the checkpoint, as the missing webhook topics are.
 * HotWax down is no verdict about its flows: the statuses stay as they were and nobody is told. Resolves to the
 * statuses the checkpoint keeps.
 */
export const watchImportFlows = async (run: SweepRun, known: FlowStatuses): Promise<FlowStatuses> => {
  const { deps, summary } = run;
  const { telemetry, settings } = deps;
  const { shop } = settings;
  try {
    summary.hotwax.repairsRecovered = await deps.hotwax.recoverInterruptedRepairs();
    if (summary.hotwax.repairsRecovered > 0) {
      telemetry.warn('Restored HotWax job parameters a crashed re-import had left swapped', {
        shop,
        restored: summary.hotwax.repairsRecovered,
      });
    }
    telemetry.count(MetricName.InterruptedRepairsRecovered, summary.hotwax.repairsRecovered);
  } catch (error) {
    telemetry.error('Could not check for interrupted HotWax repairs; checked again next sweep', {
      shop,
      error: String(error),
    });
  }

  let flows: Awaited<ReturnType<typeof deps.hotwax.importFlowHealth>>;
  try {
    flows = await deps.hotwax.importFlowHealth();
  } catch (error) {
    telemetry.error('HotWax import flows could not be read; checked again next sweep', {
      shop,
      error: String(error),
    });
    return known;
  }
  summary.hotwax.flows = flows;
  const next: FlowStatuses = { ...known };
  for (const health of flows) {
    const unhealthy = health.status !== 'ok';
    telemetry.count(MetricName.ImportFlowUnhealthy, unhealthy ? 1 : 0, { flow: health.flow, shop });
    if (unhealthy) telemetry.error('HotWax import flow unhealthy', { shop, ...health });
    const before = known[health.flow];
    next[health.flow] = health.status;
    // A flow first seen healthy is news to nobody; any other change is.
    const changed = before === undefined ? unhealthy : before !== health.status;
    if (changed) await run.notify(importFlowNotification(shop, health, settings, deps.clock.now()));
  }
  return next;
};
