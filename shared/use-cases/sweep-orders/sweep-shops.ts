import type { Telemetry } from '../../domain/ports.js';
import { type SweepOrdersDeps, type SweepSummary, sweepOrders } from './sweep-orders.js';

export interface SweepShopsSummary {
  /** each shop's sweep, in the order of the shops */
  shops: SweepSummary[];
  /** shops whose sweep failed (their HotWax or Shopify refused, their checkpoint could not be read) */
  failed: Array<{ shop: string; error: string }>;
  ordersSeen: number;
  webhooksMissed: number;
  overdueRecovered: number;
}

export class SweepShopsError extends Error {
  override name = 'SweepShopsError';
}

/**
 * The sweep of every shop of the deployment, each under its own lease and checkpoint (`sweepOrders`), side by side:
 * a throttled or failing shop ends its own sweep only, and the others go on. The dead-letter probes belong to the
 * deployment, so only the first shop's deps carry them.
 *
 * 1. Start every shop's sweep at once (each waits on its own Admin API's throttle, not on the other shops).
 * 2. A shop whose sweep throws is logged and listed in `failed`, with its shop named; the others' summaries stand.
 * 3. When every shop failed the run throws (a single shop's error as it was), so the function's Errors alarm fires;
 *    one failing shop among others raises its own per-shop alarms through its metrics instead.
 */
export const sweepShops = async (
  shops: readonly SweepOrdersDeps[],
  options: Parameters<typeof sweepOrders>[1],
  telemetry: Pick<Telemetry, 'error'>,
): Promise<SweepShopsSummary> => {
  const settled = await Promise.allSettled(shops.map((deps) => sweepOrders(deps, options)));
  const summary: SweepShopsSummary = {
    shops: [],
    failed: [],
    ordersSeen: 0,
    webhooksMissed: 0,
    overdueRecovered: 0,
  };
  settled.forEach((result, index) => {
    const shop = shops[index]?.settings.shop ?? '';
    if (result.status === 'fulfilled') {
      summary.shops.push(result.value);
      summary.ordersSeen += result.value.ordersSeen;
      summary.webhooksMissed += result.value.webhooksMissed;
      summary.overdueRecovered += result.value.overdueRecovered;
    } else {
      const error = String((result.reason as Error)?.message ?? result.reason);
      summary.failed.push({ shop, error });
      telemetry.error('Sweep of one shop failed; the other shops were swept', { shop, error });
    }
  });
  // A single shop's failure is the run's, exactly as it was thrown (its type tells the caller what went wrong).
  const [only] = settled;
  if (shops.length === 1 && only?.status === 'rejected') throw only.reason;
  if (shops.length > 0 && summary.failed.length === shops.length) {
    throw new SweepShopsError(
      `The sweep failed for every shop: ${summary.failed.map((failure) => `${failure.shop}: ${failure.error}`).join('; ')}`,
    );
  }
  return summary;
};
