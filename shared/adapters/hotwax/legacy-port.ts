import type {
  HotwaxOrder,
  HotwaxPort,
  ImportFailure,
  ReimportRequest,
  ReimportRun,
} from '../../domain/ports.js';
import { createHotwaxClient, type HotwaxClientOptions } from './hotwax-client.js';

/**
 * A shim for wave 1: today's OFBiz client (`createHotwaxClient`) behind the domain's `HotwaxPort`. The OFBiz and
 * Maarg adapters replace it; nothing else in the project knows the client's own shape.
 */

export type MdmFailure = ImportFailure;

export interface JobRun {
  jobName: string;
  serviceName: string;
  parentJobId: string;
  requestedAt: number;
}

export interface HotwaxJobStatus {
  /** a SERVICE_PENDING (recurring) definition exists */
  scheduled: boolean;
  /** statuses of the most recent runs, newest first */
  recentRunStatuses: string[];
}

/** The OFBiz client as it is today. */
export interface LegacyHotwaxClient {
  findOrdersByShopifyIds(shopifyOrderIds: readonly string[]): Promise<Map<string, HotwaxOrder[]>>;
  /** "Run now" of the New Orders job (JOB_IMP_ORD). */
  runNewOrdersJob(): Promise<JobRun>;
  /** Per-order import when HOTWAX_IMPORT_ORDER_SERVICE is configured, else undefined. */
  importOrder?: (shopifyOrderId: string) => Promise<void>;
  /** Refresh when HOTWAX_REFRESH_ORDER_SERVICE is configured, else undefined. */
  refreshOrder?: (hotwaxOrderId: string) => Promise<void>;
  findImportFailures(params: {
    since: number;
    shopifyOrderIds: readonly string[];
  }): Promise<Map<string, MdmFailure>>;
  /** never called by the monitor; the new adapters drop it */
  runApprovalJob(hotwaxOrderId: string): Promise<void>;
  approvalJobStatus(): Promise<HotwaxJobStatus>;
  orderUrl(hotwaxOrderId: string): string;
}

/** The client's capabilities follow from its configuration: which optional services it was given. */
export const legacyHotwaxPort = (client: LegacyHotwaxClient): HotwaxPort => {
  const { importOrder, refreshOrder } = client;
  const port: HotwaxPort = {
    capabilities: {
      backend: 'ofbiz',
      canRefresh: refreshOrder !== undefined,
      reimportRepairsStuck: false,
      reimportScope: importOrder ? 'order' : 'window',
      approval: 'job',
    },
    findOrdersByShopifyIds: (ids) => client.findOrdersByShopifyIds(ids),
    async reimport({ orders }: ReimportRequest): Promise<ReimportRun> {
      if (importOrder) {
        for (const order of orders) await importOrder(order.shopifyOrderId);
        return { kind: 'order_import', detail: 'per-order import service', requestedAt: Date.now() };
      }
      const run = await client.runNewOrdersJob();
      return {
        kind: 'new_orders_job',
        detail: 'New Orders job (JOB_IMP_ORD) run now',
        requestedAt: run.requestedAt,
        runId: run.parentJobId,
      };
    },
    findImportFailures: (params) => client.findImportFailures(params),
    async approvalStatus() {
      const status = await client.approvalJobStatus();
      return { mechanism: 'job', enabled: status.scheduled, recentRunStatuses: status.recentRunStatuses };
    },
    // The New Orders job's own health is not read by this client; the OFBiz adapter reports it.
    importFlowHealth: async () => [],
    recoverInterruptedRepairs: async () => 0,
    orderUrl: (hotwaxOrderId) => client.orderUrl(hotwaxOrderId),
  };
  if (refreshOrder) port.refreshOrder = (hotwaxOrderId) => refreshOrder(hotwaxOrderId);
  return port;
};

export const createLegacyHotwaxPort = (options: HotwaxClientOptions): HotwaxPort =>
  legacyHotwaxPort(createHotwaxClient(options));
