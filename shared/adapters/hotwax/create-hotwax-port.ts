import type { HotwaxPort, HotwaxRepairJournal } from '../../domain/ports.js';
import { processListeners } from '../process-listeners.js';
import { type DiscoverOptions, discoverHotwaxBackend, type HotwaxDiscovery } from './discover.js';
import { ofbizSession } from './hotwax-http.js';
import { createInMemoryRepairJournal } from './in-memory-repair-journal.js';
import { createMaargHotwaxPort } from './maarg/maarg-port.js';
import { createOfbizHotwaxPort, type OfbizPortOptions } from './ofbiz/ofbiz-port.js';

export interface HotwaxPortOptions extends DiscoverOptions {
  apiToken?: string;
  username?: string;
  password?: string;
  now?: () => number;
  /** the Shopify shop these ids belong to (`<name>.myshopify.com`) */
  shop: string;
  shopifyConfigId: string;
  shopId: string;
  productStoreId: string;
  /** HOTWAX_ORDER_URL_TEMPLATE; default per backend */
  orderUrlTemplate?: string;
  // OFBiz
  orderMdmConfigId?: string;
  importOrderService?: string;
  importOrderPayload?: string;
  refreshOrderService?: string;
  timeZone?: string;
  // Maarg
  /** the remote id marking the shop's fallback sync job, default `shopifyConfigId` */
  systemMessageRemoteId?: string;
  /** durable journal of fromDate swaps (DynamoDB in deployments); default in memory, not crash safe */
  repairJournal?: HotwaxRepairJournal;
  repairGraceMs?: number;
  logger?: OfbizPortOptions['logger'];
}

export interface HotwaxBackendDescription extends HotwaxDiscovery {
  /** the API the port speaks to, e.g. `https://acme.hotwax.io/api` or `https://acme.hotwax.io/rest/s1` */
  apiUrl: string;
  /** Maarg: whether a crash mid-swap can be recovered (a durable journal was given) */
  repairJournal?: 'provided' | 'in memory (not crash safe)';
}

/** The port plus what it chose, for the one start-up log line. */
export type DescribedHotwaxPort = HotwaxPort & { describe(): HotwaxBackendDescription };

/** The one line the caller logs once at start. */
export const describeHotwaxBackend = (description: HotwaxBackendDescription): string =>
  `HotWax backend: ${description.backend} at ${description.apiUrl} (${description.how}; login via ${
    description.login === 'ofbiz' ? 'OFBiz /api/login' : 'Maarg admin/login'
  }${description.repairJournal ? `; repair journal ${description.repairJournal}` : ''})`;

/**
 * The HotWax port for this tenant: discovers (or takes from HOTWAX_BACKEND) whether it runs OFBiz or Maarg and
 * builds that backend's adapter. Async because discovery asks HotWax; a failed discovery rejects with a
 * `HotwaxError` (transient when HotWax is down).
 */
export const createHotwaxPort = async (options: HotwaxPortOptions): Promise<DescribedHotwaxPort> => {
  const found = await discoverHotwaxBackend(options);
  const credentials = {
    ...(options.apiToken ? { apiToken: options.apiToken } : {}),
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  };
  const common = {
    ...credentials,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.orderUrlTemplate ? { orderUrlTemplate: options.orderUrlTemplate } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  };

  if (found.backend === 'ofbiz') {
    const ofbizUrl = found.ofbizUrl ?? options.baseUrl;
    const port = createOfbizHotwaxPort({
      ...common,
      baseUrl: ofbizUrl,
      shopifyConfigId: options.shopifyConfigId,
      shopId: options.shopId,
      productStoreId: options.productStoreId,
      ...(options.orderMdmConfigId ? { orderMdmConfigId: options.orderMdmConfigId } : {}),
      ...(options.importOrderService ? { importOrderService: options.importOrderService } : {}),
      ...(options.importOrderPayload ? { importOrderPayload: options.importOrderPayload } : {}),
      ...(options.refreshOrderService ? { refreshOrderService: options.refreshOrderService } : {}),
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    });
    const description: HotwaxBackendDescription = { ...found, apiUrl: `${ofbizUrl}/api` };
    return { ...port, describe: () => ({ ...description }) };
  }

  const maargUrl = found.maargUrl ?? options.baseUrl;
  // On an OFBiz tenant the OMS issues the token and Maarg accepts it, as HotWax's apps do.
  const session =
    found.login === 'ofbiz'
      ? ofbizSession({ ...common, baseUrl: found.ofbizUrl ?? options.baseUrl })
      : undefined;
  const port = createMaargHotwaxPort({
    ...common,
    ...(session ? { session } : {}),
    maargUrl,
    shop: options.shop,
    productStoreId: options.productStoreId,
    systemMessageRemoteId: options.systemMessageRemoteId ?? options.shopifyConfigId,
    repairJournal: options.repairJournal ?? createInMemoryRepairJournal(),
    ...(options.repairGraceMs !== undefined ? { repairGraceMs: options.repairGraceMs } : {}),
  });
  const description: HotwaxBackendDescription = {
    ...found,
    apiUrl: `${maargUrl}/rest/s1`,
    repairJournal: options.repairJournal ? 'provided' : 'in memory (not crash safe)',
  };
  return { ...port, describe: () => ({ ...description }) };
};

/**
 * The capabilities a tenant of `backend` has with these options, known without asking HotWax; so the port can say
 * what it can do before (or without) discovery when HOTWAX_BACKEND names the backend.
 */
const capabilitiesOf = (
  backend: 'ofbiz' | 'maarg',
  options: HotwaxPortOptions,
): HotwaxPort['capabilities'] =>
  backend === 'maarg'
    ? {
        backend,
        canRefresh: false,
        reimportRepairsStuck: true,
        reimportScope: 'window',
        approval: 'store_setting',
      }
    : {
        backend,
        canRefresh: Boolean(options.refreshOrderService),
        reimportRepairsStuck: false,
        reimportScope: options.importOrderService ? 'order' : 'window',
        approval: 'job',
      };

const discoveries =
  processListeners<[line: string, description: HotwaxBackendDescription]>('hotwax-discovered');

/**
 * Hears every backend discovery of the deferred ports of this process, besides each port's own `onDiscovered`: the
 * local runtime runs every function in one process and prints the line once. Returns the unsubscribe.
 */
export const onHotwaxDiscovered = discoveries.on;

export class HotwaxNotDiscoveredError extends Error {
  override name = 'HotwaxNotDiscoveredError';
}

/**
 * A HotWax port that discovers the backend on its first call instead of at construction, so the functions start
 * (and their handlers answer) while HotWax is down; a failed discovery is retried on the next call. With
 * HOTWAX_BACKEND set, `capabilities` is known at once; with `auto`, after the first call (every runbook step
 * starts with the order lookup, which is that call).
 */
export const createDeferredHotwaxPort = (
  options: HotwaxPortOptions,
  events: { onDiscovered?: (line: string, description: HotwaxBackendDescription) => void } = {},
): HotwaxPort & { ready(): Promise<DescribedHotwaxPort> } => {
  let port: DescribedHotwaxPort | undefined;
  let pending: Promise<DescribedHotwaxPort> | undefined;
  const ready = (): Promise<DescribedHotwaxPort> => {
    if (port) return Promise.resolve(port);
    pending ??= createHotwaxPort(options).then(
      (created) => {
        port = created;
        const line = describeHotwaxBackend(created.describe());
        events.onDiscovered?.(line, created.describe());
        discoveries.tell(line, created.describe());
        return created;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
  const known = options.backend && options.backend !== 'auto' ? options.backend : undefined;
  const deferred: HotwaxPort & { ready(): Promise<DescribedHotwaxPort> } = {
    get capabilities() {
      if (port) return port.capabilities;
      if (known) return capabilitiesOf(known, options);
      throw new HotwaxNotDiscoveredError(
        "HotWax's backend is not known yet: the port is asked before its first call (set HOTWAX_BACKEND to skip discovery)",
      );
    },
    ready,
    findOrdersByShopifyIds: async (ids) => (await ready()).findOrdersByShopifyIds(ids),
    reimport: async (request) => (await ready()).reimport(request),
    findImportFailures: async (params) => (await ready()).findImportFailures(params),
    approvalStatus: async () => (await ready()).approvalStatus(),
    importFlowHealth: async () => (await ready()).importFlowHealth(),
    recoverInterruptedRepairs: async () => (await ready()).recoverInterruptedRepairs(),
    orderUrl: (hotwaxOrderId) => {
      if (!port) throw new HotwaxNotDiscoveredError('orderUrl asked before the first HotWax call');
      return port.orderUrl(hotwaxOrderId);
    },
  };
  // Only a backend that names its runs answers how one went (Maarg); the others say they do not know.
  if (known !== 'ofbiz') {
    deferred.reimportRunOutcome = async (runId) => {
      const ready_ = await ready();
      return ready_.reimportRunOutcome ? ready_.reimportRunOutcome(runId) : 'unknown';
    };
  }
  // Only a backend that can refresh offers it; the decision table reads `capabilities.canRefresh` first.
  if (options.refreshOrderService && known !== 'maarg') {
    deferred.refreshOrder = async (hotwaxOrderId) => {
      const ready_ = await ready();
      if (!ready_.refreshOrder)
        throw new HotwaxNotDiscoveredError('this HotWax backend cannot refresh orders');
      return ready_.refreshOrder(hotwaxOrderId);
    };
  }
  return deferred;
};
