import { randomUUID } from 'node:crypto';
import type {
  ApprovalStatus,
  HotwaxCapabilities,
  HotwaxOrder,
  HotwaxPort,
  HotwaxRepairJournal,
  ImportFailure,
  ImportFlowHealth,
  JobParameter,
  ReimportRunOutcome,
  RepairJournalEntry,
} from '../../../domain/ports.js';
import { createBoundedCache } from '../bounded-cache.js';
import { HotwaxHttpError, HotwaxRepairBusyError, HotwaxSetupError } from '../errors.js';
import { findFailuresInLogs } from '../failed-records.js';
import { createHotwaxSession, type HotwaxConnectionOptions } from '../session.js';
import { addOrderVersions, byNewest, chunk, distinctIds, fillOrderUrl, text, toEpochMs } from '../values.js';
import { createMaargHttp, maargLogin, normalizeMaargUrl } from './maarg-http.js';
import {
  fallbackSyncTemplate,
  isShopFallbackSync,
  type JobRun,
  parameter,
  realtimeConsumerJob,
  type ServiceJob,
  toJobRun,
  toJobTimestamp,
  toServiceJob,
  withFromDate,
} from './service-jobs.js';

export interface MaargPortOptions extends HotwaxConnectionOptions {
  /** the Maarg host (`/rest/s1/` is appended), as discovered or set by HOTWAX_MAARG_URL. `session`: the tenant's
   *  OFBiz login when it has one (Maarg accepts its token); a long-lived token: Maarg Admin › Settings › JWT Tokens */
  maargUrl: string;
  /** the Shopify shop (`<name>.myshopify.com`): the key of its repair journal entry */
  shop: string;
  productStoreId: string;
  /** the shop's remote id that marks its fallback sync job (HOTWAX_SYSTEM_MESSAGE_REMOTE_ID) */
  systemMessageRemoteId: string;
  /** where a fromDate swap is recorded before it happens; also the shop's one-swap-at-a-time lock */
  repairJournal: HotwaxRepairJournal;
  /** a journal entry older than this is a crashed swap to undo, default 2 minutes (at least 3 timeouts + 30 s) */
  repairGraceMs?: number;
  /** link for people, `{orderId}` replaced; default Order Manager's `https://order-manager.hotwax.io/orders/{orderId}` */
  orderUrlTemplate?: string;
  /** runs in a row that must have failed before a flow counts as failing, default 3 */
  failingRuns?: number;
  /** Data Manager logs read per config per `findImportFailures`, newest first, default 100 */
  maxFailureLogs?: number;
  /** how long the fallback job found by its parameters is reused, default 5 minutes */
  jobCacheTtlMs?: number;
  fileCacheMaxEntries?: number;
  fileCacheMaxChars?: number;
  logger?: { warn(message: string, ...extra: Record<string, unknown>[]): void };
}

export type FallbackRunOutcome = ReimportRunOutcome;

export interface MaargHotwaxPort extends HotwaxPort {
  /** How a fallback sync run started by `reimport` went, by its jobRunId (from `…/runs`). */
  fallbackRunOutcome(jobRunId: string): Promise<FallbackRunOutcome>;
  reimportRunOutcome(jobRunId: string): Promise<ReimportRunOutcome>;
}

/** The Data Manager configs Shopify orders import through (company `ORDER_SYNC_FEATURE.importConfigIds`). */
export const orderImportConfigs = ['SYNC_SHOPIFY_ORDER', 'UPDATE_SHOPIFY_ORDER'] as const;
const fallbackSyncService = 'co.hotwax.sob.order.OrderFeedServices.send#ShopifyOrderSync';
const defaultOrderUrlTemplate = 'https://order-manager.hotwax.io/orders/{orderId}';
/** Shopify's updatedAt may be truncated to the second: a minute of cushion keeps the order inside the window. */
const windowCushionMs = 60_000;
/** Moqui's default limit is 100; an `in` of 100 ids still pages when orders share an id (exchanges). */
const orderPageSize = 100;
const jobPageSize = 250;
const logPageSize = 50;
/** a bound on one failure search when HotWax does not order the logs */
const maxLogPages = 20;
const finishedFailed = new Set(['DmlsFailed', 'DmlsCrashed']);

const jobPath = (jobName: string) => `admin/serviceJobs/${encodeURIComponent(jobName)}`;

/**
 * The HotWax port on a Maarg (Moqui) tenant (hotwax-api.md › Maarg): orders from `oms/orders`, re-import by the
 * shop's fallback `queue_ShopifyOrderSync` clone with its `fromDate` swapped (journaled first, restored in a
 * `finally`), failed records from the Data Manager, approval by the product store's `autoApproveOrder`, and the
 * health of the realtime consumer and the fallback job. No refresh: a re-import updates an order in place.
 */
export const createMaargHotwaxPort = (options: MaargPortOptions): MaargHotwaxPort => {
  const maargUrl = normalizeMaargUrl(options.maargUrl);
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const session =
    options.session ??
    createHotwaxSession({
      apiToken: options.apiToken,
      login:
        options.username && options.password
          ? maargLogin({
              maargUrl,
              username: options.username,
              password: options.password,
              timeoutMs,
              ...(options.fetch ? { fetch: options.fetch } : {}),
            })
          : undefined,
      now,
    });
  const http = createMaargHttp({
    maargUrl,
    session,
    timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const journal = options.repairJournal;
  const remoteId = options.systemMessageRemoteId;
  const graceMs = Math.max(options.repairGraceMs ?? 120_000, 3 * timeoutMs + 30_000);
  const failingRuns = Math.max(1, options.failingRuns ?? 3);
  const maxFailureLogs = options.maxFailureLogs ?? 100;
  const jobCacheTtlMs = options.jobCacheTtlMs ?? 5 * 60_000;
  const urlTemplate = options.orderUrlTemplate ?? defaultOrderUrlTemplate;
  const files = createBoundedCache<string>({
    maxEntries: options.fileCacheMaxEntries ?? 32,
    maxWeight: options.fileCacheMaxChars ?? 16_000_000,
    weigh: (file) => file.length,
  });
  let fallbackCache: { at: number; jobName: Promise<string | undefined> } | undefined;

  // --- service jobs ------------------------------------------------------------------------------------------
  const jobDetail = async (jobName: string): Promise<ServiceJob | undefined> => {
    try {
      const body = await http.getObject(jobPath(jobName), { pageSize: 1000 });
      const detail = body.jobDetail;
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return undefined;
      return toServiceJob(detail as Record<string, unknown>);
    } catch (error) {
      if (error instanceof HotwaxHttpError && error.status === 404) return undefined;
      throw error;
    }
  };

  const runsOf = async (jobName: string, pageSize = 10): Promise<JobRun[]> => {
    const { rows } = await http.getList(`${jobPath(jobName)}/runs`, { orderByField: '-startTime', pageSize });
    const runs = rows.flatMap((row) => toJobRun(row) ?? []);
    // A run not started yet has no startTime: it is the newest.
    const at = (run: JobRun) => run.startTime ?? Number.POSITIVE_INFINITY;
    return runs.sort((a, b) => at(b) - at(a));
  };

  const allJobs = async (): Promise<ServiceJob[]> => {
    const jobs: ServiceJob[] = [];
    for (let pageIndex = 0; ; pageIndex++) {
      const body = await http.getObject('admin/serviceJobs', { pageSize: jobPageSize, pageIndex });
      const rows = Array.isArray(body.serviceJobList) ? body.serviceJobList : [];
      for (const row of rows) {
        const job =
          typeof row === 'object' && row !== null ? toServiceJob(row as Record<string, unknown>) : undefined;
        if (job) jobs.push(job);
      }
      if (rows.length < jobPageSize) return jobs;
    }
  };

  /** The shop's fallback sync, matched by its parameters; a list row without parameters is read in detail. */
  const findFallbackJob = async (): Promise<string | undefined> => {
    const jobs = await allJobs();
    const matches = jobs.filter((job) => job.parameters && isShopFallbackSync(job, remoteId));
    const unknown = jobs.filter(
      (job) =>
        !job.parameters &&
        (job.serviceName === fallbackSyncService || job.jobName.startsWith(fallbackSyncTemplate)),
    );
    for (const job of unknown) {
      const detail = await jobDetail(job.jobName);
      if (detail && isShopFallbackSync(detail, remoteId)) matches.push(detail);
    }
    // A paused clone beside an active one is a leftover: the active one is what HotWax runs.
    matches.sort((a, b) => Number(a.paused) - Number(b.paused) || a.jobName.localeCompare(b.jobName));
    return matches[0]?.jobName;
  };

  const fallbackJobName = (fresh = false): Promise<string | undefined> => {
    if (!fresh && fallbackCache && now() - fallbackCache.at < jobCacheTtlMs) return fallbackCache.jobName;
    const entry = { at: now(), jobName: findFallbackJob() };
    fallbackCache = entry;
    entry.jobName.then(
      (name) => {
        if (name === undefined && fallbackCache === entry) fallbackCache = undefined;
      },
      () => {
        if (fallbackCache === entry) fallbackCache = undefined;
      },
    );
    return entry.jobName;
  };

  /** The fallback job read fresh, still matching the shop; looked up again once if the cached name went stale. */
  const fallbackJob = async (): Promise<ServiceJob | undefined> => {
    for (const fresh of [false, true]) {
      const jobName = await fallbackJobName(fresh);
      if (!jobName) return undefined;
      const detail = await jobDetail(jobName);
      if (detail && isShopFallbackSync(detail, remoteId)) return detail;
    }
    return undefined;
  };

  const missingFallback = () =>
    new HotwaxSetupError(
      `no fallback order sync job (a ${fallbackSyncTemplate} clone with systemMessageRemoteId=${remoteId}, systemMessageTypeId=ShopifyOrderSync, runAsBatch=true) is set up for this shop: configure Order Sync for the shop in HotWax Company › Shopify, or set HOTWAX_SYSTEM_MESSAGE_REMOTE_ID to the shop's remote id`,
      'admin/serviceJobs',
    );

  // --- the fromDate swap ---------------------------------------------------------------------------------------
  const putParameters = (jobName: string, parameters: readonly JobParameter[]) =>
    http.put(jobPath(jobName), { jobName, serviceJobParameters: parameters });

  /** Undoes a swap that was left behind (its process crashed), then frees the shop's lock. */
  const restoreEntry = async (entry: RepairJournalEntry): Promise<boolean> => {
    const restored = Boolean(entry.jobName && entry.originalParameters);
    if (entry.jobName && entry.originalParameters)
      await putParameters(entry.jobName, entry.originalParameters);
    await journal.release(options.shop, entry.owner);
    return restored;
  };

  const isStale = (entry: RepairJournalEntry) => now() - entry.claimedAt >= graceMs;

  const claimSwap = async (owner: string): Promise<void> => {
    if (await journal.claim({ shop: options.shop, owner, claimedAt: now() })) return;
    const held = await journal.get(options.shop);
    if (held && !isStale(held)) throw new HotwaxRepairBusyError('admin/serviceJobs');
    if (held) await restoreEntry(held);
    if (!(await journal.claim({ shop: options.shop, owner, claimedAt: now() })))
      throw new HotwaxRepairBusyError('admin/serviceJobs');
  };

  const swapAndRun = async (owner: string, fromDate: string) => {
    const job = await fallbackJob();
    if (!job) throw missingFallback();
    // Never PUT a parameter-less set: if the PUT replaces the whole set, the job would lose its shop.
    if (!job.parameters || !parameter(job, 'systemMessageRemoteId')) {
      throw new HotwaxSetupError(
        `the fallback sync job ${job.jobName} came back without its systemMessageRemoteId parameter; nothing was changed`,
        jobPath(job.jobName),
      );
    }
    // Restoring "no fromDate" must clear a swapped one whatever the PUT's semantics: keep an explicit null.
    const original = job.parameters.map((item) => ({ ...item }));
    if (!original.some((item) => item.parameterName === 'fromDate'))
      original.push({ parameterName: 'fromDate', parameterValue: null });
    if (!(await journal.record(options.shop, owner, { jobName: job.jobName, originalParameters: original })))
      throw new HotwaxRepairBusyError(jobPath(job.jobName));

    let restoredCleanly = false;
    try {
      await putParameters(job.jobName, withFromDate(original, fromDate));
      const answer = await http.post(`${jobPath(job.jobName)}/runNow`);
      return { jobName: job.jobName, runId: text(answer.jobRunId) };
    } finally {
      try {
        await putParameters(job.jobName, original);
        restoredCleanly = true;
      } catch (error) {
        // The journal keeps the original set: the next check or sweep restores it (recoverInterruptedRepairs).
        options.logger?.warn(
          'Could not restore the fallback sync job parameters; they will be restored later',
          {
            jobName: job.jobName,
            error: error instanceof Error ? error.name : 'unknown',
          },
        );
      }
      if (restoredCleanly) await journal.release(options.shop, owner);
    }
  };

  // --- failed imports ------------------------------------------------------------------------------------------
  interface FailedLog {
    logId: string;
    configId: string;
    createdDate: number;
    contentId: string;
    /** the log's status and failed-record count: a file read is cached under them, so a changed log is read again */
    version: string;
  }

  /**
   * Logs of the order import configs since `since` that hold failed records, newest first: ONE listing for both
   * configs (`configId_op=in`, as Job Manager's File History filters by config). Paging stops at the first log older
   * than `since` only while the pages come back newest first: `orderByField` on this service is HotWax's, not
   * Moqui's entity find, so its order is checked rather than assumed.
   */
  const failedLogs = async (configIds: readonly string[], since: number): Promise<FailedLog[]> => {
    const logs: FailedLog[] = [];
    let previous = Number.POSITIVE_INFINITY;
    let ordered = true;
    for (let pageIndex = 0, seen = 0; pageIndex < maxLogPages; pageIndex++) {
      const body = await http.getObject('admin/dataManager/details', {
        configId: configIds,
        configId_op: 'in',
        statusId: ['DmlsFinished', 'DmlsFailed', 'DmlsCrashed'],
        statusId_op: 'in',
        orderByField: '-createdDate',
        pageSize: logPageSize,
        pageIndex,
      });
      const rows = Array.isArray(body.dataManagerLogs)
        ? (body.dataManagerLogs as unknown[]).filter(
            (row): row is Record<string, unknown> => typeof row === 'object' && row !== null,
          )
        : [];
      let older = false;
      for (const row of rows) {
        const createdDate = toEpochMs(row.createdDate) ?? toEpochMs(row.finishDateTime) ?? 0;
        if (createdDate > previous) ordered = false;
        previous = createdDate;
        if (createdDate < since) {
          older = true;
          continue;
        }
        const logId = text(row.logId);
        const contentId = text(row.errorLogContentId);
        const statusId = text(row.statusId);
        // Failed orders sit in finished logs that counted failed records; a failed or crashed log failed whole.
        const hasFailures =
          (statusId === 'DmlsFinished' && Number(row.failedRecordCount) > 0) ||
          (statusId !== undefined && finishedFailed.has(statusId));
        // The file is downloaded by config and content id: a row that names no config cannot be read.
        const configId = text(row.configId) ?? (configIds.length === 1 ? configIds[0] : undefined);
        if (logId && contentId && hasFailures && configId && configIds.includes(configId))
          logs.push({
            logId,
            configId,
            createdDate,
            contentId,
            version: `${statusId}:${text(row.failedRecordCount) ?? ''}`,
          });
      }
      seen += rows.length;
      const total = Number(body.dataManagerLogsCount);
      if (
        (older && ordered) ||
        logs.length >= maxFailureLogs ||
        rows.length < logPageSize ||
        (Number.isFinite(total) && seen >= total)
      )
        break;
    }
    return logs;
  };

  const inflightFiles = new Map<string, Promise<string | undefined>>();
  /** The failed-record file of a log, in memory only; `{}` (no content) is undefined. */
  const failedFile = (log: FailedLog): Promise<string | undefined> => {
    const { configId, contentId } = log;
    const key = `${configId}\u0000${contentId}\u0000${log.version}`;
    const cached = files.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = inflightFiles.get(key);
    if (!pending) {
      pending = http
        .getSensitive('admin/dataManager/downloadDataManagerFile', { configId, logContentId: contentId })
        .then((body) => {
          const content = body.csvData;
          const file =
            typeof content === 'string'
              ? content
              : content !== undefined && content !== null
                ? JSON.stringify(content)
                : undefined;
          if (file !== undefined && file.trim() !== '' && file.replace(/\s/g, '') !== '{}') {
            files.set(key, file);
            return file;
          }
          return undefined;
        })
        .finally(() => inflightFiles.delete(key));
      inflightFiles.set(key, pending);
    }
    return pending;
  };

  // --- health --------------------------------------------------------------------------------------------------
  const flowHealth = async (
    flow: 'realtime' | 'fallback',
    jobName: string | undefined,
    words: { what: string; missing: string; paused: string; failing: string },
  ): Promise<ImportFlowHealth> => {
    const job = jobName ? await jobDetail(jobName) : undefined;
    if (!job)
      return { flow, jobName: jobName ?? fallbackSyncTemplate, status: 'missing', detail: words.missing };
    const runs = await runsOf(job.jobName, Math.max(10, failingRuns * 2));
    const finished = runs.filter((run) => run.endTime !== undefined || run.hasError);
    const lastRunAt = finished[0]?.startTime ?? finished[0]?.endTime;
    const base = { flow, jobName: job.jobName, ...(lastRunAt !== undefined ? { lastRunAt } : {}) };
    if (job.paused) return { ...base, status: 'paused', detail: words.paused };
    const streak = finished.slice(0, failingRuns);
    if (streak.length >= failingRuns && streak.every((run) => run.hasError))
      return { ...base, status: 'failing', detail: words.failing.replace('{count}', String(streak.length)) };
    return { ...base, status: 'ok', detail: `${words.what} is active and its recent runs succeeded.` };
  };

  const runOutcome = async (jobRunId: string): Promise<ReimportRunOutcome> => {
    const job = await fallbackJobName();
    if (!job) return 'unknown';
    const run = (await runsOf(job, 20)).find((candidate) => candidate.jobRunId === jobRunId);
    if (!run) return 'unknown';
    if (run.hasError) return 'failed';
    if (run.endTime !== undefined) return 'succeeded';
    return run.startTime !== undefined ? 'running' : 'queued';
  };

  const capabilities: HotwaxCapabilities = {
    backend: 'maarg',
    canRefresh: false,
    reimportRepairsStuck: true,
    reimportScope: 'window',
    approval: 'store_setting',
  };

  return {
    capabilities,

    async findOrdersByShopifyIds(shopifyOrderIds) {
      const found = new Map<string, HotwaxOrder[]>();
      for (const ids of chunk(distinctIds(shopifyOrderIds), orderPageSize)) {
        const wanted = new Set(ids);
        for (let pageIndex = 0, seen = 0; ; pageIndex++) {
          const { rows, totalCount } = await http.getList('oms/orders', {
            externalId: ids,
            externalId_op: 'in',
            pageSize: orderPageSize,
            pageIndex,
          });
          addOrderVersions(rows, wanted, found);
          seen += rows.length;
          if (rows.length < orderPageSize || seen >= (totalCount ?? seen)) break;
        }
      }
      for (const versions of found.values()) versions.sort(byNewest);
      return found;
    },

    async reimport(request) {
      // Without the remote id no job can be told apart from another shop's: refuse before touching any.
      if (!remoteId) {
        throw new HotwaxSetupError(
          "the shop's systemMessageRemoteId is unknown (HOTWAX_SYSTEM_MESSAGE_REMOTE_ID): refusing to change any fallback sync job",
          'admin/serviceJobs',
        );
      }
      const stamps = request.orders.map((order) => order.updatedAt);
      if (stamps.length === 0 || stamps.some((stamp) => !Number.isFinite(stamp)))
        throw new RangeError("a re-import needs every order's Shopify updatedAt");
      const fromDate = toJobTimestamp(Math.min(...stamps) - windowCushionMs);
      const requestedAt = now();
      const owner = randomUUID();
      await claimSwap(owner);
      let run: { jobName: string; runId: string | undefined };
      try {
        run = await swapAndRun(owner, fromDate);
      } catch (error) {
        // Nothing swapped yet (or restored already): free the lock. A swap left in place keeps its entry.
        const entry = await journal.get(options.shop).catch(() => undefined);
        if (entry?.owner === owner && !entry.originalParameters) await journal.release(options.shop, owner);
        throw error;
      }
      return {
        kind: 'fallback_sync',
        detail: `fallback order sync ${run.jobName} run now from ${fromDate} UTC`,
        requestedAt,
        ...(run.runId ? { runId: run.runId } : {}),
      };
    },

    async findImportFailures({ since, shopifyOrderIds }) {
      const failures = new Map<string, ImportFailure>();
      const wanted = new Set(distinctIds(shopifyOrderIds));
      if (wanted.size === 0) return failures;
      const logs = (await failedLogs(orderImportConfigs, since)).sort(
        (a, b) => b.createdDate - a.createdDate || b.logId.localeCompare(a.logId, 'en', { numeric: true }),
      );
      return findFailuresInLogs({
        logs,
        wanted,
        readFile: failedFile,
        describe: (log) => ({ configId: log.configId, contentId: log.contentId }),
        onUnreadable: (log, error) =>
          options.logger?.warn('Skipped an unreadable Data Manager failed-record file', {
            logId: log.logId,
            configId: log.configId,
            error: error.name,
          }),
      });
    },

    async approvalStatus(): Promise<ApprovalStatus> {
      const storePath = (prefix: string) =>
        `${prefix}/productStores/${encodeURIComponent(options.productStoreId)}`;
      let store: Record<string, unknown>;
      try {
        store = await http.getObject(storePath('admin'));
      } catch (error) {
        // Before Maarg 4.4 the store is under oms/ (now deprecated there).
        if (!(error instanceof HotwaxHttpError && error.status === 404)) throw error;
        store = await http.getObject(storePath('oms'));
      }
      const setting = text(store.autoApproveOrder);
      return {
        mechanism: 'store_setting',
        enabled: setting === 'Y' ? true : setting === 'N' ? false : undefined,
        recentRunStatuses: [],
      };
    },

    async importFlowHealth() {
      const fallbackName = await fallbackJobName(true);
      return Promise.all([
        flowHealth('realtime', realtimeConsumerJob, {
          what: `The realtime order consumer (${realtimeConsumerJob})`,
          missing: `HotWax has no realtime order consumer (${realtimeConsumerJob}), so Shopify orders arrive only through the fallback sync, late. Ask HotWax support to set up the realtime Shopify order import (EventBridge → SQS → ${realtimeConsumerJob}).`,
          paused: `The realtime order consumer ${realtimeConsumerJob} is paused in HotWax, so new and updated Shopify orders are not imported as they happen. Resume it in HotWax Job Manager (Maarg jobs › ${realtimeConsumerJob}).`,
          failing: `The last {count} runs of the realtime order consumer ${realtimeConsumerJob} failed in HotWax, so Shopify orders are not being imported as they happen. Open HotWax Job Manager › ${realtimeConsumerJob} › run history to read the error (often the AWS/SQS connection or queue name).`,
        }),
        flowHealth('fallback', fallbackName, {
          what: `This shop's fallback order sync (${fallbackName})`,
          missing: `This shop has no fallback order sync job (a ${fallbackSyncTemplate} clone whose systemMessageRemoteId is ${remoteId}), so orders the realtime import misses are never picked up and the monitor cannot re-import any. Configure Order Sync for the shop in HotWax Company › Shopify, or set HOTWAX_SYSTEM_MESSAGE_REMOTE_ID to the shop's remote id.`,
          paused: `This shop's fallback order sync ${fallbackName} is paused in HotWax, so orders the realtime import misses are not picked up. Resume it in HotWax Company › Shopify › Order sync (or Job Manager › ${fallbackName}).`,
          failing: `The last {count} runs of this shop's fallback order sync ${fallbackName} failed in HotWax. Open HotWax Job Manager › ${fallbackName} › run history to read the error, and check the job's parameters (systemMessageRemoteId, fromDate).`,
        }),
      ]);
    },

    async recoverInterruptedRepairs() {
      const entry = await journal.get(options.shop);
      if (!entry || !isStale(entry)) return 0;
      return (await restoreEntry(entry)) ? 1 : 0;
    },

    fallbackRunOutcome: runOutcome,
    // The domain's name for it: the verify of a re-import asks how its run went.
    reimportRunOutcome: runOutcome,

    orderUrl: (hotwaxOrderId) => fillOrderUrl(urlTemplate, hotwaxOrderId),
  };
};
