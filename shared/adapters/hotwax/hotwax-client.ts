import type { HotwaxConfig } from '../../config/config.js';
import type { HotwaxOrder } from '../../domain/ports.js';
import { createBoundedCache } from './bounded-cache.js';
import { HotwaxApiError, HotwaxError } from './errors.js';
import { matchFailedRecords } from './failed-records.js';
import { createHotwaxHttp, type HotwaxHttpOptions, normalizeBaseUrl } from './hotwax-http.js';
import type { HotwaxJobStatus, LegacyHotwaxClient as HotwaxPort, JobRun, MdmFailure } from './legacy-port.js';
import type { QueryValue } from './wire.js';

export interface HotwaxClientOptions extends HotwaxHttpOptions {
  shopifyConfigId: string;
  shopId: string;
  productStoreId: string;
  /** MDM config of Shopify order imports, default `CRT_SHOPIFY_ORDER` */
  orderMdmConfigId?: string;
  /** per-order import service (`POST /api/service/<name>`); unset = no `importOrder` */
  importOrderService?: string;
  /** refresh service (`POST /api/service/<name>`); unset = no `refreshOrder` */
  refreshOrderService?: string;
  /** how long job definitions (findJobs) are reused, default 5 minutes */
  jobCacheTtlMs?: number;
  /** downloaded failed-record files kept in memory, default 32 files and 16 M characters */
  fileCacheMaxEntries?: number;
  fileCacheMaxChars?: number;
  /** MDM logs read per `findImportFailures`, newest first, default 200 */
  maxFailureLogs?: number;
  /** link for people, `{orderId}` is replaced; default `<baseUrl>/commerce/control/ViewOrder?orderId={orderId}` */
  orderUrlTemplate?: string;
  /** told about skipped unreadable failed-record files; Powertools' Logger fits */
  logger?: { warn(message: string, ...extra: Record<string, unknown>[]): void };
}

export type HotwaxClient = HotwaxPort;

/** The client's options from the validated environment (`hotwaxSchema`). */
export const hotwaxClientOptionsFromConfig = (config: HotwaxConfig): HotwaxClientOptions => ({
  baseUrl: config.HOTWAX_BASE_URL,
  apiToken: config.HOTWAX_API_TOKEN,
  username: config.HOTWAX_USERNAME,
  password: config.HOTWAX_PASSWORD,
  shopifyConfigId: config.HOTWAX_SHOPIFY_CONFIG_ID,
  shopId: config.HOTWAX_SHOP_ID,
  productStoreId: config.HOTWAX_PRODUCT_STORE_ID,
  orderMdmConfigId: config.HOTWAX_ORDER_MDM_CONFIG_ID,
  importOrderService: config.HOTWAX_IMPORT_ORDER_SERVICE,
  refreshOrderService: config.HOTWAX_REFRESH_ORDER_SERVICE,
  timeoutMs: config.HOTWAX_TIMEOUT_MS,
});

export const newOrdersJob = {
  systemJobEnumId: 'JOB_IMP_ORD',
  serviceName: 'createOrdersFromShopify',
} as const;
export const approvalJob = {
  systemJobEnumId: 'JOB_APR_ORD',
  serviceName: 'approvePendingShopifyOrders',
} as const;

const orderFields = [
  'orderId',
  'externalId',
  'orderName',
  'statusId',
  'salesChannelEnumId',
  'orderDate',
  'entryDate',
];
const jobFields = [
  'jobId',
  'jobName',
  'serviceName',
  'systemJobEnumId',
  'statusId',
  'runTime',
  'tempExprId',
  'shopId',
  'productStoreId',
];
const logFields = [
  'logId',
  'configId',
  'statusId',
  'createdDate',
  'startDateTime',
  'finishDateTime',
  'logFileContentId',
  'errorRecordContentId',
];
/** `performFind` accepts an `in` list of this many ids per call; bigger batches are split. */
const maxIdsPerFind = 100;
const logPageSize = 50;

interface JobDefinition {
  jobId: string;
  jobName?: string;
  serviceName?: string;
  statusId?: string;
  /** the recurrence of a SERVICE_PENDING job; a one-off "run now" has none */
  tempExprId?: string;
  shopId?: string;
  productStoreId?: string;
  runTime?: number;
}

interface MdmLog {
  logId: string;
  createdDate: number;
  errorRecordContentId?: string;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** HotWax sends timestamps as epoch ms; tolerate numeric strings and `2025-09-20 14:12:11.0` too. */
export const toEpochMs = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const parsed = Date.parse(value.trim().replace(' ', 'T'));
  return Number.isNaN(parsed) ? undefined : parsed;
};

const docsOf = (body: Record<string, unknown> | undefined): Record<string, unknown>[] =>
  Array.isArray(body?.docs)
    ? body.docs.filter((doc): doc is Record<string, unknown> => typeof doc === 'object')
    : [];

const countOf = (body: Record<string, unknown> | undefined, fallback: number): number => {
  const count = Number(body?.count);
  return Number.isFinite(count) ? count : fallback;
};

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
};

const byNewest = (a: HotwaxOrder, b: HotwaxOrder): number =>
  (b.entryDate ?? b.orderDate ?? 0) - (a.entryDate ?? a.orderDate ?? 0) ||
  b.orderId.localeCompare(a.orderId, 'en', { numeric: true });

/**
 * The HotWax OMS client the checker uses (hotwax-api.md): order lookup, the New Orders and approval jobs,
 * per-order import and refresh when their services are configured, and the Shopify Order MDM's failed records.
 */
export const createHotwaxClient = (options: HotwaxClientOptions): HotwaxClient => {
  const http = createHotwaxHttp(options);
  const now = options.now ?? Date.now;
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const mdmConfigId = options.orderMdmConfigId ?? 'CRT_SHOPIFY_ORDER';
  const jobCacheTtlMs = options.jobCacheTtlMs ?? 5 * 60_000;
  const maxFailureLogs = options.maxFailureLogs ?? 200;
  const urlTemplate = options.orderUrlTemplate ?? `${baseUrl}/commerce/control/ViewOrder?orderId={orderId}`;
  const files = createBoundedCache<string>({
    maxEntries: options.fileCacheMaxEntries ?? 32,
    maxWeight: options.fileCacheMaxChars ?? 16_000_000,
    weigh: (file) => file.length,
  });
  const jobCache = new Map<string, { at: number; definitions: Promise<JobDefinition[]> }>();

  const performFind = (params: Readonly<Record<string, QueryValue>>) =>
    http.get('performFind', params, { allowNoRecord: true });

  const findJobDefinitions = async (systemJobEnumId: string): Promise<JobDefinition[]> => {
    const body = await http.get(
      'findJobs',
      {
        inputFields: { systemJobEnumId, statusId: ['SERVICE_DRAFT', 'SERVICE_PENDING'], statusId_op: 'in' },
        fieldList: jobFields,
        noConditionFind: 'Y',
        viewSize: 10,
      },
      { allowNoRecord: true },
    );
    return docsOf(body).flatMap((doc) => {
      const jobId = text(doc.jobId);
      if (!jobId) return [];
      return [
        {
          jobId,
          jobName: text(doc.jobName),
          serviceName: text(doc.serviceName),
          statusId: text(doc.statusId),
          tempExprId: text(doc.tempExprId),
          shopId: text(doc.shopId),
          productStoreId: text(doc.productStoreId),
          runTime: toEpochMs(doc.runTime),
        },
      ];
    });
  };

  /** Job definitions rarely change: a flash sale's many "run now"s reuse one lookup. */
  const jobDefinitions = (systemJobEnumId: string, fresh = false): Promise<JobDefinition[]> => {
    const cached = jobCache.get(systemJobEnumId);
    if (!fresh && cached && now() - cached.at < jobCacheTtlMs) return cached.definitions;
    const definitions = findJobDefinitions(systemJobEnumId);
    const entry = { at: now(), definitions };
    jobCache.set(systemJobEnumId, entry);
    definitions.catch(() => {
      if (jobCache.get(systemJobEnumId) === entry) jobCache.delete(systemJobEnumId);
    });
    return definitions;
  };

  const belongsHere = (job: JobDefinition) =>
    (!job.shopId || job.shopId === options.shopId) &&
    (!job.productStoreId || job.productStoreId === options.productStoreId);

  // A SERVICE_PENDING job is the recurring schedule only with a recurrence; a pending one-off "run now" has none.
  const isSchedule = (job: JobDefinition) => job.statusId === 'SERVICE_PENDING' && !!job.tempExprId;

  /** Job Manager's "Run now" schedules a run whose parent is the SERVICE_DRAFT template; this shop's wins. */
  const template = (systemJobEnumId: string, definitions: JobDefinition[]): JobDefinition => {
    const ours = definitions.filter(belongsHere);
    const specificity = (job: JobDefinition) => (job.shopId ? 0 : 1) + (job.productStoreId ? 0 : 1);
    const pick = (accept: (job: JobDefinition) => boolean) =>
      ours.filter(accept).sort((a, b) => specificity(a) - specificity(b))[0];
    const found = pick((job) => job.statusId === 'SERVICE_DRAFT') ?? pick(isSchedule);
    if (!found) {
      throw new HotwaxApiError(
        `no ${systemJobEnumId} job is set up for this store: set it up in HotWax Job Manager`,
        'findJobs',
      );
    }
    return found;
  };

  const runJob = async (
    job: { systemJobEnumId: string; serviceName: string },
    parameters: Record<string, unknown> = {},
  ): Promise<JobRun> => {
    const definitions = await jobDefinitions(job.systemJobEnumId);
    let parent: JobDefinition;
    try {
      parent = template(job.systemJobEnumId, definitions);
    } catch (error) {
      // Not cached: once somebody sets the job up, the next check uses it.
      jobCache.delete(job.systemJobEnumId);
      throw error;
    }
    const serviceName = parent.serviceName ?? job.serviceName;
    const jobName = parent.jobName ?? serviceName;
    try {
      await http.post('scheduleService', {
        JOB_NAME: jobName,
        SERVICE_NAME: serviceName,
        SERVICE_COUNT: '0',
        jobFields: {
          productStoreId: options.productStoreId,
          systemJobEnumId: job.systemJobEnumId,
          parentJobId: parent.jobId,
          shopId: options.shopId,
        },
        statusId: 'SERVICE_PENDING',
        systemJobEnumId: job.systemJobEnumId,
        shopifyConfigId: options.shopifyConfigId,
        shopId: options.shopId,
        productStoreId: options.productStoreId,
        ...parameters,
      });
    } catch (error) {
      // A refused run may mean the cached template is gone: look it up again next time.
      if (error instanceof HotwaxApiError) jobCache.delete(job.systemJobEnumId);
      throw error;
    }
    return { jobName, serviceName, parentJobId: parent.jobId, requestedAt: now() };
  };

  const findOrders = async (ids: string[], into: Map<string, HotwaxOrder[]>) => {
    const wanted = new Set(ids);
    const viewSize = Math.max(20, ids.length * 3);
    for (let viewIndex = 0, seen = 0; ; viewIndex++) {
      const body = await performFind({
        entityName: 'OrderHeader',
        inputFields: ids.length === 1 ? { externalId: ids[0] } : { externalId: ids, externalId_op: 'in' },
        fieldList: orderFields,
        noConditionFind: 'Y',
        viewSize,
        viewIndex,
      });
      const docs = docsOf(body);
      for (const doc of docs) {
        const order = toOrder(doc);
        // Never trust the filter blindly: an order filed under the wrong Shopify id would hide a missing one.
        if (!order || !wanted.has(order.externalId)) continue;
        const versions = into.get(order.externalId) ?? [];
        if (!versions.some((known) => known.orderId === order.orderId)) versions.push(order);
        into.set(order.externalId, versions);
      }
      seen += docs.length;
      if (docs.length < viewSize || seen >= countOf(body, seen)) return;
    }
  };

  const failureLogs = async (since: number): Promise<MdmLog[]> => {
    const logs: MdmLog[] = [];
    for (let viewIndex = 0; logs.length < maxFailureLogs; viewIndex++) {
      const body = await performFind({
        entityName: 'DataManagerLogAndContent',
        inputFields: { configId: mdmConfigId, createdDate_from: since },
        fieldList: logFields,
        orderBy: 'createdDate DESC',
        viewSize: logPageSize,
        viewIndex,
      });
      const docs = docsOf(body);
      for (const doc of docs) {
        const logId = text(doc.logId);
        const errorRecordContentId = text(doc.errorRecordContentId);
        if (!logId || !errorRecordContentId) continue;
        const createdDate = toEpochMs(doc.createdDate) ?? toEpochMs(doc.startDateTime) ?? 0;
        if (createdDate && createdDate < since) continue;
        logs.push({ logId, createdDate, errorRecordContentId });
      }
      if (docs.length < logPageSize || (viewIndex + 1) * logPageSize >= countOf(body, 0)) break;
    }
    // Same-millisecond logs: the later log id is the newer run.
    const newest = (a: MdmLog, b: MdmLog) =>
      b.createdDate - a.createdDate || b.logId.localeCompare(a.logId, 'en', { numeric: true });
    return logs.sort(newest).slice(0, maxFailureLogs);
  };

  const dataResourceIds = async (contentIds: string[]): Promise<Map<string, string>> => {
    const resources = new Map<string, string>();
    for (const ids of chunk(contentIds, maxIdsPerFind)) {
      const body = await performFind({
        entityName: 'DataResourceContentView',
        inputFields: { coContentId: ids, coContentId_op: 'in' },
        fieldList: ['coContentId', 'coDataResourceId'],
        noConditionFind: 'Y',
        viewSize: Math.max(20, ids.length * 2),
      });
      for (const doc of docsOf(body)) {
        const contentId = text(doc.coContentId);
        const dataResourceId = text(doc.coDataResourceId);
        if (contentId && dataResourceId && !resources.has(contentId))
          resources.set(contentId, dataResourceId);
      }
    }
    return resources;
  };

  const inflightFiles = new Map<string, Promise<string>>();
  /** A data resource never changes once written, so its file is cached by id. */
  const failedRecordFile = (dataResourceId: string): Promise<string> => {
    const cached = files.get(dataResourceId);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = inflightFiles.get(dataResourceId);
    if (!pending) {
      pending = http
        .download('DownloadCsvFile', { dataResourceId })
        .then((file) => {
          files.set(dataResourceId, file);
          return file;
        })
        .finally(() => inflightFiles.delete(dataResourceId));
      inflightFiles.set(dataResourceId, pending);
    }
    return pending;
  };

  const service = (name: string) => `service/${encodeURIComponent(name)}`;

  const client: HotwaxClient = {
    async findOrdersByShopifyIds(shopifyOrderIds) {
      const ids = [...new Set(shopifyOrderIds.map((id) => String(id).trim()).filter((id) => id !== ''))];
      const found = new Map<string, HotwaxOrder[]>();
      for (const batch of chunk(ids, maxIdsPerFind)) await findOrders(batch, found);
      for (const versions of found.values()) versions.sort(byNewest);
      return found;
    },

    runNewOrdersJob: () => runJob(newOrdersJob),

    async findImportFailures({ since, shopifyOrderIds }) {
      const failures = new Map<string, MdmFailure>();
      const wanted = new Set(shopifyOrderIds.map((id) => String(id).trim()).filter((id) => id !== ''));
      if (wanted.size === 0) return failures;
      const logs = await failureLogs(since);
      if (logs.length === 0) return failures;
      const resources = await dataResourceIds([
        ...new Set(logs.flatMap((log) => (log.errorRecordContentId ? [log.errorRecordContentId] : []))),
      ]);
      // Newest log first, so the newest failure wins and the search stops once every order is accounted for.
      for (const log of logs) {
        const remaining = new Set([...wanted].filter((id) => !failures.has(id)));
        if (remaining.size === 0) break;
        const dataResourceId = log.errorRecordContentId ? resources.get(log.errorRecordContentId) : undefined;
        if (!dataResourceId) continue;
        let file: string;
        try {
          file = await failedRecordFile(dataResourceId);
        } catch (error) {
          // One unreadable file must not hide the others; an outage or bad credentials still fails the call.
          if (!(error instanceof HotwaxError) || error.transient || error.name === 'HotwaxAuthError')
            throw error;
          options.logger?.warn('Skipped an unreadable MDM failed-record file', {
            logId: log.logId,
            dataResourceId,
            error: error.message,
          });
          continue;
        }
        for (const [shopifyOrderId, errorText] of matchFailedRecords(file, remaining)) {
          failures.set(shopifyOrderId, {
            shopifyOrderId,
            logId: log.logId,
            createdDate: log.createdDate,
            errorText,
            dataResourceId,
          });
        }
      }
      return failures;
    },

    async runApprovalJob(hotwaxOrderId) {
      await runJob(approvalJob, { orderId: hotwaxOrderId });
    },

    async approvalJobStatus(): Promise<HotwaxJobStatus> {
      const [definitions, runs] = await Promise.all([
        // Fresh, not cached: people read this right after being told to switch the job on.
        jobDefinitions(approvalJob.systemJobEnumId, true),
        http.get(
          'findJobs',
          {
            inputFields: {
              systemJobEnumId: approvalJob.systemJobEnumId,
              statusId: ['SERVICE_DRAFT', 'SERVICE_PENDING'],
              statusId_op: 'not-in',
            },
            fieldList: ['jobId', 'statusId', 'runTime', 'shopId', 'productStoreId'],
            noConditionFind: 'Y',
            orderBy: 'runTime DESC',
            viewSize: 5,
            viewIndex: 0,
          },
          { allowNoRecord: true },
        ),
      ]);
      const recent = docsOf(runs)
        .map((doc) => ({
          statusId: text(doc.statusId),
          runTime: toEpochMs(doc.runTime) ?? 0,
          jobId: text(doc.jobId) ?? '',
          shopId: text(doc.shopId),
          productStoreId: text(doc.productStoreId),
        }))
        .filter((run) => run.statusId && belongsHere(run))
        .sort((a, b) => b.runTime - a.runTime);
      return {
        scheduled: definitions.some((job) => isSchedule(job) && belongsHere(job)),
        recentRunStatuses: recent.map((run) => run.statusId as string),
      };
    },

    orderUrl: (hotwaxOrderId) => urlTemplate.replaceAll('{orderId}', encodeURIComponent(hotwaxOrderId)),
  };

  const importService = options.importOrderService;
  if (importService) {
    client.importOrder = async (shopifyOrderId) => {
      await http.post(service(importService), { shopifyConfigId: options.shopifyConfigId, shopifyOrderId });
    };
  }
  const refreshService = options.refreshOrderService;
  if (refreshService) {
    client.refreshOrder = async (hotwaxOrderId) => {
      await http.post(service(refreshService), { orderId: hotwaxOrderId });
    };
  }
  return client;
};

const toOrder = (doc: Record<string, unknown>): HotwaxOrder | undefined => {
  const orderId = text(doc.orderId);
  const externalId = text(doc.externalId);
  const statusId = text(doc.statusId);
  if (!orderId || !externalId || !statusId) return undefined;
  return {
    orderId,
    externalId,
    statusId,
    orderName: text(doc.orderName),
    salesChannelEnumId: text(doc.salesChannelEnumId),
    orderDate: toEpochMs(doc.orderDate),
    entryDate: toEpochMs(doc.entryDate),
  };
};
