import type { OrderRecord } from '../../domain/order-sync.js';
import type { HotwaxPort, ReimportRun } from '../../domain/ports.js';
import type { RepairAction } from '../../domain/runbook/repairs.js';

export class RepairUnavailableError extends Error {
  override name = 'RepairUnavailableError';
}

/**
 * Performs one order's repair on the tenant: "Refresh order", or a re-import of this order alone. (A batch's window
 * re-import — one New Orders run for many orders — is started once per batch by the checker instead.)
 */
export const performRepair = async (
  hotwax: HotwaxPort,
  action: RepairAction,
  record: Pick<OrderRecord, 'orderId' | 'updatedAt'>,
): Promise<ReimportRun | undefined> => {
  if (action.kind === 'refresh') {
    if (!hotwax.refreshOrder) throw new RepairUnavailableError('this HotWax tenant cannot refresh an order');
    await hotwax.refreshOrder(action.hotwaxOrderId);
    return undefined;
  }
  return hotwax.reimport({ orders: [{ shopifyOrderId: record.orderId, updatedAt: record.updatedAt }] });
};

/** The record with HotWax's id of its last repair's run, so the verify can ask how the run went. */
export const withRunId = (record: OrderRecord, runId: string | undefined): OrderRecord => {
  const repairs = record.repairs ?? [];
  const lastRepair = repairs.at(-1);
  if (!runId || !lastRepair) return record;
  return { ...record, repairs: [...repairs.slice(0, -1), { ...lastRepair, runId }] };
};
