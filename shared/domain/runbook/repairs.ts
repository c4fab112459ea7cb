import type { RepairRecord } from '../order-sync.js';
import type { HotwaxCapabilities } from '../ports.js';
import { importOrderSteps, newOrdersJobSteps, refreshOrderSteps, syncOrderSteps } from './words.js';

/** What the decision asks for; how it is done depends on what the tenant can do (`HotwaxCapabilities`). */
export type RepairAction = { kind: 'reimport' } | { kind: 'refresh'; hotwaxOrderId: string };

export interface RepairWords {
  kind: RepairRecord['kind'];
  /** for the timeline: "<detail> requested (attempt 1 of 3)" */
  detail: string;
  /** for people: what the monitor does (or would do) */
  description: string;
  /** the same repair by hand */
  fix: string;
}

/** The repair-kind mapping: the one place that says what a re-import or a refresh is on this tenant. */
export const repairFor = (
  action: RepairAction,
  capabilities: HotwaxCapabilities,
  shopifyOrderId: string,
): RepairWords => {
  if (action.kind === 'refresh') {
    return {
      kind: 'refresh',
      detail: `refresh of HotWax order ${action.hotwaxOrderId}`,
      description: `refresh HotWax order ${action.hotwaxOrderId} ("Refresh order" on View Sales Order)`,
      fix: refreshOrderSteps(action.hotwaxOrderId),
    };
  }
  if (capabilities.reimportScope === 'order') {
    return {
      kind: 'reimport_order',
      detail: 'per-order import service',
      description: `import Shopify order ${shopifyOrderId} into HotWax (per-order import service)`,
      fix: importOrderSteps(shopifyOrderId),
    };
  }
  // A window re-import that updates orders in place is an order sync from a date (Maarg's fallback sync), not the
  // New Orders job, which only creates the orders it does not have.
  if (capabilities.reimportRepairsStuck) {
    return {
      kind: 'reimport_job',
      detail: "order sync run now from the order's last update",
      description: `sync Shopify order ${shopifyOrderId} into HotWax again (the shop's fallback order sync, run now from the order's last update; it updates an order HotWax already holds)`,
      fix: syncOrderSteps(shopifyOrderId),
    };
  }
  return {
    kind: 'reimport_job',
    detail: 'New Orders job (JOB_IMP_ORD) run now',
    description: 'run the New Orders job (JOB_IMP_ORD) now',
    fix: newOrdersJobSteps,
  };
};
