import type {
  ApprovalStatus,
  HotwaxCapabilities,
  HotwaxOrder,
  HotwaxPort,
  ImportFailure,
  ImportFlowHealth,
  ReimportRun,
} from '../../../domain/ports.js';
import { createBoundedCache } from '../bounded-cache.js';
import { HotwaxApiError, HotwaxSetupError } from '../errors.js';
import { findFailuresInLogs } from '../failed-records.js';
import { createHotwaxHttp, type HotwaxHttpOptions, normalizeBaseUrl } from '../hotwax-http.js';
import { addOrderVersions, byNewest, chunk, distinctIds, fillOrderUrl, text, toEpochMs } from '../values.js';
import { type QueryValue, serializeParams } from '../wire.js';
import { type OfbizJobDefinition, runNowPayload } from './run-now-payload.js';

export interface OfbizPortOptions extends HotwaxHttpOptions {
  shopifyConfigId: string;
  shopId: string;
  productStoreId: string;
  /** MDM config of Shopify order imports, default `CRT_SHOPIFY_ORDER` */
  orderMdmConfigId?: string;
  /**
   * Per-order import service (`POST /api/service/<name>`), e.g. `importShopifyOrdersByIds` (MDM
   * `SOP_IMPORT_ORDER`); its parameters are unpublished, so `importOrderPayload` shapes the body. Unset = every
   * re-import is a New Orders run.
   */
  importOrderService?: string;
  /**
   * JSON body of the per-order import; string values may hold `{shopifyOrderId}` (one call per order) or
   * `{shopifyOrderIds}` (one call for the batch, comma-joined), `{shopifyConfigId}`, `{shopId}`,
   * `{productStoreId}`. Default `{"shopifyConfigId":"{shopifyConfigId}","shopifyOrderId":"{shopifyOrderId}"}`.
   */
  importOrderPayload?: string;
  /** refresh service (`POST /api/service/<name>`); unset = no `refreshOrder` */
  refreshOrderService?: string;
  /** sent as `recurrenceTimeZone` with "Run now", as Job Manager sends the user's; default UTC */
  timeZone?: string;
  /** how long job definitions (findJobs) are reused, default 5 minutes */
  jobCacheTtlMs?: number;
  fileCacheMaxEntries?: number;
  fileCacheMaxChars?: number;
  /** MDM logs read per `findImportFailures`, newest first, default 200 */
  maxFailureLogs?: number;
  /** runs in a row that must have failed before a job counts as failing, default 3 */
  failingRuns?: number;
  /** link for people, `{orderId}` is replaced; default `<baseUrl>/commerce/control/ViewOrder?orderId={orderId}` */
  orderUrlTemplate?: string;
  logger?: { warn(message: string, ...extra: Record<string, unknown>[]): void };
}

export const ofbizJobs = {
  newOrders: { systemJobEnumId: 'JOB_IMP_ORD', serviceName: 'createOrdersFromShopify' },
  approval: { systemJobEnumId: 'JOB_APR_ORD', serviceName: 'approvePendingShopifyOrders' },
} as const;

/** JOB_IMP_ORD's required parameter (HotWax docs, jobWorkflows/shopify.md); 15 minutes is its documented default. */
const newOrdersRequired = { frequency: '15' } as const;

const defaultImportPayload = '{"shopifyConfigId":"{shopifyConfigId}","shopifyOrderId":"{shopifyOrderId}"}';

const orderFields = [
  'orderId',
  'externalId',
  'orderName',
  'statusId',
  'salesChannelEnumId',
  'orderDate',
  'entryDate',
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
const maxIdsPerFind = 100;
/** HotWax's apps: "performFind api does not return more than 250 records at once" (fulfillment OrderService). */
const maxViewSize = 250;
/** Beyond this a find goes as a POST with a JSON body, as HotWax's apps send long ones: no URL length limit. */
const maxFindQueryLength = 2_000;
const logPageSize = 50;
const failedRunStatuses = new Set(['SERVICE_FAILED', 'SERVICE_CRASHED']);
const finishedRunStatuses = new Set(['SERVICE_FINISHED', 'SERVICE_FAILED', 'SERVICE_CRASHED']);

interface MdmLog {
  logId: string;
  createdDate: number;
  errorRecordContentId: string;
  /** what a file read of this log is cached under: unset while the log is not finished (its file may grow) */
  version: string | undefined;
}

const docsOf = (body: Record<string, unknown> | undefined): Record<string, unknown>[] =>
  Array.isArray(body?.docs)
    ? body.docs.filter(
        (doc): doc is Record<string, unknown> =>
          typeof doc === 'object' && doc !== null && !Array.isArray(doc),
      )
    : [];

const countOf = (body: Record<string, unknown> | undefined, fallback: number): number => {
  const count = Number(body?.count);
  return Number.isFinite(count) ? count : fallback;
};

const runtimeDataOf = (value: unknown): Record<string, unknown> | undefined => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/** Fills `{name}` placeholders in the string values of a JSON template; never splices text into JSON. */
const fillTemplate = (template: unknown, values: Readonly<Record<string, string>>): unknown => {
  if (typeof template === 'string')
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(template)) return template.map((item) => fillTemplate(item, values));
  if (typeof template === 'object' && template !== null) {
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [key, fillTemplate(value, values)]),
    );
  }
  return template;
};

/**
 * The HotWax port on a legacy OFBiz tenant (hotwax-api.md): order lookup by `performFind`, repair by the New
 * Orders job's "Run now" exactly as Job Manager sends it (or a configured per-order import service), refresh when
 * its service is configured, failed records of the Shopify Order MDM, approval by JOB_APR_ORD.
 */
export const createOfbizHotwaxPort = (options: OfbizPortOptions): HotwaxPort => {
  const http = createHotwaxHttp(options);
  const now = options.now ?? Date.now;
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const mdmConfigId = options.orderMdmConfigId ?? 'CRT_SHOPIFY_ORDER';
  const jobCacheTtlMs = options.jobCacheTtlMs ?? 5 * 60_000;
  const maxFailureLogs = options.maxFailureLogs ?? 200;
  const failingRuns = Math.max(1, options.failingRuns ?? 3);
  const urlTemplate = options.orderUrlTemplate ?? `${baseUrl}/commerce/control/ViewOrder?orderId={orderId}`;
  const importTemplate: unknown = JSON.parse(options.importOrderPayload ?? defaultImportPayload);
  const files = createBoundedCache<string>({
    maxEntries: options.fileCacheMaxEntries ?? 32,
    maxWeight: options.fileCacheMaxChars ?? 16_000_000,
    weigh: (file) => file.length,
  });
  const jobCache = new Map<string, { at: number; definitions: Promise<OfbizJobDefinition[]> }>();

  /**
   * `performFind` by GET as Job Manager sends it, or by POST with the same fields as a JSON body when an `in` list
   * would make the URL long (100 order ids are some 2 KB encoded; proxies refuse URLs past 8 KB).
   */
  const performFind = async (params: Readonly<Record<string, QueryValue>>) => {
    if (serializeParams(params).length <= maxFindQueryLength)
      return http.get('performFind', params, { allowNoRecord: true });
    const body = await http.post('performFind', { ...params }, { allowNoRecord: true });
    return Object.keys(body).length === 0 ? undefined : body;
  };

  /** Jobs of one kind for this shop or for none (Job Manager's shop OR-group), by status. */
  const jobsOfShop = (systemJobEnumId: string, statusOp: 'in' | 'not-in') => ({
    systemJobEnumId,
    statusId: ['SERVICE_DRAFT', 'SERVICE_PENDING'],
    statusId_op: statusOp,
    shopId_fld0_value: options.shopId,
    shopId_fld0_grp: '1',
    shopId_fld0_op: 'equals',
    shopId_fld1_grp: '2',
    shopId_fld1_op: 'empty',
  });

  /**
   * Definitions (SERVICE_DRAFT templates and SERVICE_PENDING schedules) of one job for this shop or for none:
   * Job Manager's shop OR-group. No `fieldList`, as Job Manager asks: only then does `runtimeData` come back.
   */
  const findDefinitions = async (systemJobEnumId: string): Promise<OfbizJobDefinition[]> => {
    const body = await http.get(
      'findJobs',
      {
        inputFields: jobsOfShop(systemJobEnumId, 'in'),
        noConditionFind: 'Y',
        viewSize: 20,
      },
      { allowNoRecord: true },
    );
    return docsOf(body).flatMap((doc): OfbizJobDefinition[] => {
      const jobId = text(doc.jobId);
      if (!jobId) return [];
      return [
        {
          jobId,
          jobName: text(doc.jobName),
          serviceName: text(doc.serviceName),
          systemJobEnumId: text(doc.systemJobEnumId) ?? systemJobEnumId,
          statusId: text(doc.statusId),
          tempExprId: text(doc.tempExprId),
          parentJobId: text(doc.parentJobId),
          shopId: text(doc.shopId),
          productStoreId: text(doc.productStoreId),
          runTime: toEpochMs(doc.runTime),
          runtimeData: runtimeDataOf(doc.runtimeData),
        },
      ];
    });
  };

  const definitions = (systemJobEnumId: string, fresh = false): Promise<OfbizJobDefinition[]> => {
    const cached = jobCache.get(systemJobEnumId);
    if (!fresh && cached && now() - cached.at < jobCacheTtlMs) return cached.definitions;
    const pending = findDefinitions(systemJobEnumId);
    const entry = { at: now(), definitions: pending };
    jobCache.set(systemJobEnumId, entry);
    pending.catch(() => {
      if (jobCache.get(systemJobEnumId) === entry) jobCache.delete(systemJobEnumId);
    });
    return pending;
  };

  // The shop OR-group already narrowed the shop; a schedule of another product store is not ours either.
  const belongsHere = (job: { shopId?: string | undefined; productStoreId?: string | undefined }) =>
    (!job.shopId || job.shopId === options.shopId) &&
    (!job.productStoreId || job.productStoreId === options.productStoreId);
  const isSchedule = (job: OfbizJobDefinition) => job.statusId === 'SERVICE_PENDING' && !!job.tempExprId;

  /** This shop's schedule (what Job Manager's "Run now" copies), else the draft template. */
  const runnable = (found: OfbizJobDefinition[]): OfbizJobDefinition | undefined => {
    const ours = found.filter(belongsHere);
    const specificity = (job: OfbizJobDefinition) => (job.shopId ? 0 : 1) + (job.productStoreId ? 0 : 1);
    const pick = (accept: (job: OfbizJobDefinition) => boolean) =>
      ours.filter(accept).sort((a, b) => specificity(a) - specificity(b))[0];
    return pick(isSchedule) ?? pick((job) => job.statusId === 'SERVICE_DRAFT');
  };

  const recentRuns = async (systemJobEnumId: string) => {
    const body = await http.get(
      'findJobs',
      {
        inputFields: jobsOfShop(systemJobEnumId, 'not-in'),
        fieldList: ['jobId', 'statusId', 'runTime', 'finishDateTime', 'shopId', 'productStoreId'],
        noConditionFind: 'Y',
        orderBy: 'runTime DESC',
        viewSize: 10,
        viewIndex: 0,
      },
      { allowNoRecord: true },
    );
    return docsOf(body)
      .map((doc) => ({
        statusId: text(doc.statusId) ?? '',
        runTime: toEpochMs(doc.runTime) ?? toEpochMs(doc.finishDateTime) ?? 0,
        shopId: text(doc.shopId),
        productStoreId: text(doc.productStoreId),
      }))
      .filter((run) => run.statusId !== '' && belongsHere(run))
      .sort((a, b) => b.runTime - a.runTime);
  };

  const runNow = async (
    job: { systemJobEnumId: string; serviceName: string },
    requiredDefaults: Readonly<Record<string, string>> = {},
  ): Promise<OfbizJobDefinition> => {
    const found = runnable(await definitions(job.systemJobEnumId));
    if (!found) {
      // Not cached: once somebody sets the job up, the next check uses it.
      jobCache.delete(job.systemJobEnumId);
      throw new HotwaxSetupError(
        `no ${job.systemJobEnumId} job is set up for this store: set it up in HotWax Job Manager`,
        'findJobs',
      );
    }
    const definition = { ...found, serviceName: found.serviceName ?? job.serviceName };
    definition.jobName ??= definition.serviceName;
    try {
      await http.post(
        'scheduleService',
        runNowPayload(definition, {
          shopifyConfigId: options.shopifyConfigId,
          shopId: options.shopId,
          productStoreId: options.productStoreId,
          recurrenceTimeZone: options.timeZone ?? 'UTC',
          requiredDefaults,
        }),
      );
    } catch (error) {
      // A refused run may mean the cached definition is gone: look it up again next time.
      if (error instanceof HotwaxApiError) jobCache.delete(job.systemJobEnumId);
      throw error;
    }
    return definition;
  };

  const findOrders = async (ids: string[], into: Map<string, HotwaxOrder[]>) => {
    const wanted = new Set(ids);
    // Room for refreshed and exchanged versions of each order, within what one page may hold.
    const viewSize = Math.min(maxViewSize, Math.max(20, ids.length * 2));
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
      addOrderVersions(docs, wanted, into);
      seen += docs.length;
      if (docs.length < viewSize || seen >= countOf(body, seen)) return;
    }
  };

  /**
   * MDM logs with failed records since `since`, newest first. OFBiz knows no `_from`: the range is
   * `createdDate` + `createdDate_op: greaterThanEqualTo` (a `createdDate_from` key is silently dropped and every
   * log comes back), and paging stops at the first log older than `since`.
   */
  const failureLogs = async (since: number): Promise<MdmLog[]> => {
    const logs: MdmLog[] = [];
    for (let viewIndex = 0, seen = 0; ; viewIndex++) {
      const body = await performFind({
        entityName: 'DataManagerLogAndContent',
        inputFields: { configId: mdmConfigId, createdDate: since, createdDate_op: 'greaterThanEqualTo' },
        fieldList: logFields,
        orderBy: 'createdDate DESC',
        viewSize: logPageSize,
        viewIndex,
      });
      const docs = docsOf(body);
      let older = false;
      for (const doc of docs) {
        const createdDate = toEpochMs(doc.createdDate) ?? toEpochMs(doc.startDateTime) ?? 0;
        if (createdDate < since) {
          older = true;
          continue;
        }
        const logId = text(doc.logId);
        const errorRecordContentId = text(doc.errorRecordContentId);
        // A finished log's file is final; one still running may gain failed records, so it is read each time.
        const finished = toEpochMs(doc.finishDateTime);
        const version = finished === undefined ? undefined : `${text(doc.statusId) ?? ''}@${finished}`;
        if (logId && errorRecordContentId) logs.push({ logId, createdDate, errorRecordContentId, version });
      }
      seen += docs.length;
      if (older || logs.length >= maxFailureLogs || docs.length < logPageSize || seen >= countOf(body, seen))
        break;
    }
    const newest = (a: MdmLog, b: MdmLog) =>
      b.createdDate - a.createdDate || b.logId.localeCompare(a.logId, 'en', { numeric: true });
    return logs.sort(newest).slice(0, maxFailureLogs);
  };

  /** A content names one data resource for good: each content id is looked up once per warm process. */
  const resourceOfContent = createBoundedCache<string>({ maxEntries: 2_000 });
  const dataResourceIds = async (contentIds: string[]): Promise<Map<string, string>> => {
    const resources = new Map<string, string>();
    const unknown: string[] = [];
    for (const contentId of contentIds) {
      const known = resourceOfContent.get(contentId);
      if (known === undefined) unknown.push(contentId);
      else resources.set(contentId, known);
    }
    for (const ids of chunk(unknown, maxIdsPerFind)) {
      const body = await performFind({
        entityName: 'DataResourceContentView',
        inputFields: { coContentId: ids, coContentId_op: 'in' },
        fieldList: ['coContentId', 'coDataResourceId'],
        noConditionFind: 'Y',
        viewSize: Math.min(maxViewSize, Math.max(20, ids.length * 2)),
      });
      for (const doc of docsOf(body)) {
        const contentId = text(doc.coContentId);
        const dataResourceId = text(doc.coDataResourceId);
        if (contentId && dataResourceId && !resources.has(contentId)) {
          resources.set(contentId, dataResourceId);
          resourceOfContent.set(contentId, dataResourceId);
        }
      }
    }
    return resources;
  };

  const inflightFiles = new Map<string, Promise<string>>();
  /**
   * A failed-record file, in memory only, kept under its identity and the version of its log (status and finish
   * time): a finished log's file is not downloaded again, a log that changed is. A log still running has no version
   * and is read every time — its next failed record may be the one looked for.
   */
  const failedRecordFile = (dataResourceId: string, version: string | undefined): Promise<string> => {
    const key = version === undefined ? undefined : `${dataResourceId}\u0000${version}`;
    const cached = key === undefined ? undefined : files.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    const inflightKey = key ?? `${dataResourceId}\u0000running`;
    let pending = inflightFiles.get(inflightKey);
    if (!pending) {
      pending = http
        .download('DownloadCsvFile', { dataResourceId })
        .then((file) => {
          if (key !== undefined) files.set(key, file);
          return file;
        })
        .finally(() => inflightFiles.delete(inflightKey));
      inflightFiles.set(inflightKey, pending);
    }
    return pending;
  };

  const service = (name: string) => `service/${encodeURIComponent(name)}`;
  const importService = options.importOrderService;

  const importOrders = async (shopifyOrderIds: string[]): Promise<ReimportRun> => {
    const requestedAt = now();
    const ids = { shopifyConfigId: options.shopifyConfigId, shopId: options.shopId };
    const common = { ...ids, productStoreId: options.productStoreId };
    const batch = JSON.stringify(importTemplate).includes('{shopifyOrderIds}');
    const bodies = batch
      ? [fillTemplate(importTemplate, { ...common, shopifyOrderIds: shopifyOrderIds.join(',') })]
      : shopifyOrderIds.map((shopifyOrderId) => fillTemplate(importTemplate, { ...common, shopifyOrderId }));
    for (const body of bodies)
      await http.post(service(importService as string), body as Record<string, unknown>);
    return {
      kind: 'order_import',
      detail: `${importService} called for ${shopifyOrderIds.length} order(s)`,
      requestedAt,
    };
  };

  const capabilities: HotwaxCapabilities = {
    backend: 'ofbiz',
    canRefresh: Boolean(options.refreshOrderService),
    reimportRepairsStuck: false,
    reimportScope: importService ? 'order' : 'window',
    approval: 'job',
  };

  const port: HotwaxPort = {
    capabilities,

    async findOrdersByShopifyIds(shopifyOrderIds) {
      const found = new Map<string, HotwaxOrder[]>();
      for (const batch of chunk(distinctIds(shopifyOrderIds), maxIdsPerFind)) await findOrders(batch, found);
      for (const versions of found.values()) versions.sort(byNewest);
      return found;
    },

    async reimport(request) {
      const ids = distinctIds(request.orders.map((order) => order.shopifyOrderId));
      if (importService && ids.length > 0) return importOrders(ids);
      const requestedAt = now();
      const job = await runNow(ofbizJobs.newOrders, newOrdersRequired);
      return {
        kind: 'new_orders_job',
        detail: `New Orders job (${job.systemJobEnumId}, ${job.jobName}) run now`,
        requestedAt,
      };
    },

    async findImportFailures({ since, shopifyOrderIds }) {
      const failures = new Map<string, ImportFailure>();
      const wanted = new Set(distinctIds(shopifyOrderIds));
      if (wanted.size === 0) return failures;
      const logs = await failureLogs(since);
      if (logs.length === 0) return failures;
      const resources = await dataResourceIds([...new Set(logs.map((log) => log.errorRecordContentId))]);
      const resourceOf = (log: MdmLog) => resources.get(log.errorRecordContentId);
      return findFailuresInLogs({
        logs: logs.filter((log) => resourceOf(log) !== undefined),
        wanted,
        readFile: (log) => failedRecordFile(resourceOf(log) as string, log.version),
        describe: (log) => ({ configId: mdmConfigId, dataResourceId: resourceOf(log) as string }),
        onUnreadable: (log, error) =>
          options.logger?.warn('Skipped an unreadable MDM failed-record file', {
            logId: log.logId,
            dataResourceId: resourceOf(log),
            error: error.name,
          }),
      });
    },

    async approvalStatus(): Promise<ApprovalStatus> {
      const [found, runs] = await Promise.all([
        // Fresh, not cached: people read this right after being told to switch the job on.
        definitions(ofbizJobs.approval.systemJobEnumId, true),
        recentRuns(ofbizJobs.approval.systemJobEnumId),
      ]);
      return {
        mechanism: 'job',
        enabled: found.some((job) => isSchedule(job) && belongsHere(job)),
        recentRunStatuses: runs.map((run) => run.statusId),
      };
    },

    async importFlowHealth(): Promise<ImportFlowHealth[]> {
      const { systemJobEnumId } = ofbizJobs.newOrders;
      const [found, runs] = await Promise.all([
        definitions(systemJobEnumId, true),
        recentRuns(systemJobEnumId),
      ]);
      const ours = found.filter(belongsHere);
      const finished = runs.filter((run) => finishedRunStatuses.has(run.statusId));
      const lastRunAt = finished[0]?.runTime || undefined;
      const base = { flow: 'new_orders_job' as const, jobName: systemJobEnumId, lastRunAt };
      if (ours.length === 0) {
        return [
          {
            ...base,
            status: 'missing',
            detail: `HotWax has no New Orders job (${systemJobEnumId}) for this shop, so new Shopify orders are not imported. Set it up in HotWax Job Manager › Orders › Import orders.`,
          },
        ];
      }
      if (!ours.some(isSchedule)) {
        return [
          {
            ...base,
            status: 'paused',
            detail: `The New Orders job (${systemJobEnumId}) is not scheduled, so new Shopify orders are imported only when somebody runs it. Schedule it in HotWax Job Manager › Orders › Import orders (every 15 minutes is HotWax's recommendation).`,
          },
        ];
      }
      const streak = finished.slice(0, failingRuns);
      if (streak.length >= failingRuns && streak.every((run) => failedRunStatuses.has(run.statusId))) {
        return [
          {
            ...base,
            status: 'failing',
            detail: `The last ${streak.length} runs of the New Orders job (${systemJobEnumId}) failed, so new Shopify orders are not being imported. Open HotWax Job Manager › Orders › Import orders › History to read the error, and check the job's custom parameters (frequency, shopifyConfigId).`,
          },
        ];
      }
      return [
        {
          ...base,
          status: 'ok',
          detail: `The New Orders job (${systemJobEnumId}) is scheduled and running.`,
        },
      ];
    },

    // OFBiz re-imports never swap job parameters: nothing can be left half-done.
    recoverInterruptedRepairs: async () => 0,

    orderUrl: (hotwaxOrderId) => fillOrderUrl(urlTemplate, hotwaxOrderId),
  };

  const refreshService = options.refreshOrderService;
  if (refreshService) {
    port.refreshOrder = async (hotwaxOrderId) => {
      await http.post(service(refreshService), { orderId: hotwaxOrderId });
    };
  }
  return port;
};
