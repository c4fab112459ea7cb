import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MoquiRow, moquiFind, moquiHeaders } from './moqui-find.js';

/**
 * The Maarg (Moqui) half of the HotWax simulator, under `/rest/s1/` (hotwax-api.md › Maarg): lists as JSON arrays
 * with `X-Total-Count`…, errors as real status codes with `{"errorCode", "errors"}`, ServiceJobs with their
 * parameters, `runNow` (parameters read when the run is created, as Moqui's `ServiceCallJobImpl` does), runs, the
 * realtime consumer, other shops' fallback clones, Data Manager logs and their failed-record files (JSON or CSV),
 * and the product store's `autoApproveOrder`. Like Moqui it ignores query parameters it does not know.
 */

export interface SimJobParameter {
  parameterName: string;
  parameterValue: string | null;
}

export interface SimServiceJob {
  jobName: string;
  description: string;
  serviceName: string;
  cronExpression: string;
  paused: 'Y' | 'N';
  parameters: SimJobParameter[];
  /** false: the list endpoint omits this job's parameters (HotWax's list does for some jobs) */
  listsParameters: boolean;
  /** the last run's start: a fallback sync without `fromDate` imports what changed since then */
  lastRunTime?: number;
}

export interface SimServiceJobRun {
  jobRunId: string;
  jobName: string;
  /** the parameters the run was created with */
  parameters: Record<string, string | null>;
  startTime?: number;
  endTime?: number;
  hasError: 'Y' | 'N';
  errors?: string;
  messages?: string;
}

export interface SimDataManagerLog {
  logId: string;
  configId: 'SYNC_SHOPIFY_ORDER' | 'UPDATE_SHOPIFY_ORDER' | (string & {});
  statusId: 'DmlsFinished' | 'DmlsFailed' | 'DmlsCrashed' | 'DmlsRunning' | 'DmlsPending' | (string & {});
  createdDate: number;
  startDateTime?: number;
  finishDateTime?: number;
  totalRecordCount: number;
  failedRecordCount: number;
  logContentId?: string;
  errorLogContentId?: string;
  createdByJobRunId?: string;
}

export type FailedFileFormat = 'json' | 'csv';

/** What the shared simulator hands the Maarg half. */
export interface MaargSimContext {
  settings: {
    shopifyConfigId: string;
    productStoreId: string;
    systemMessageRemoteId: string;
    otherShopRemoteIds: readonly string[];
    otherShopifyConfigIds: readonly string[];
    fallbackJobDefined: boolean;
    realtimeJobDefined: boolean;
    autoApproveOrder: string;
    importConfigsDefined: boolean;
    importDelayMs: number;
    username: string;
    password: string;
  };
  now(): number;
  nextId(): number;
  later(delayMs: number, work: () => void): void;
  issueToken(): { token: string; expirationTime: number };
  authorized(req: IncomingMessage): boolean;
  send(
    res: ServerResponse,
    call: { status?: number },
    status: number,
    body: unknown,
    type?: string,
    headers?: Record<string, string>,
  ): void;
  /** OrderHeader rows of every order (all versions) */
  orderRows(): MoquiRow[];
  /** imports due queued Shopify orders updated at or after `from`; returns the records that failed */
  importQueuedSince(
    from: number,
    shopifyConfigId?: string,
  ): {
    created: string[];
    updated: string[];
    failed: {
      shopifyOrderId: string;
      existed: boolean;
      record: Record<string, unknown>;
      format: FailedFileFormat;
    }[];
  };
}

export const fallbackTemplate = 'queue_ShopifyOrderSync';
export const realtimeConsumer = 'consume_ShopifyOrders_SQS';
const fallbackService = 'co.hotwax.sob.order.OrderFeedServices.send#ShopifyOrderSync';
/** The shop's clone; its number is not the shop's (HotWax found names lying). */
export const simFallbackJobName = 'queue_ShopifyOrderSync_10010';
/** The Data Manager configs Shopify orders import through on a Maarg tenant. */
const importConfigIds: readonly string[] = ['SYNC_SHOPIFY_ORDER', 'UPDATE_SHOPIFY_ORDER'];

const orderFields = [
  'orderId',
  'externalId',
  'orderName',
  'statusId',
  'salesChannelEnumId',
  'orderDate',
  'entryDate',
  'productStoreId',
];
const runFields = ['jobRunId', 'jobName', 'startTime', 'endTime', 'hasError', 'userId'];
const logFields = [
  'logId',
  'configId',
  'statusId',
  'createdDate',
  'startDateTime',
  'finishDateTime',
  'totalRecordCount',
  'failedRecordCount',
  'errorLogContentId',
  'logContentId',
  'systemMessageId',
  'createdByJobRunId',
];
const jobTimestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;

const csvCell = (value: unknown): string => {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The failed-record file of a run: the original records with their error, as JSON or as CSV. */
const failedFile = (records: Record<string, unknown>[], format: FailedFileFormat): string => {
  if (format === 'json') return JSON.stringify(records);
  const columns = [
    'shopifyOrderId',
    'orderName',
    'customerName',
    'customerEmail',
    'shippingPhone',
    'ErrorMessage',
  ];
  const rows = records.map((record) => {
    const customer = (record.customer ?? {}) as Record<string, unknown>;
    const address = (record.shippingAddress ?? {}) as Record<string, unknown>;
    return [
      String(record.id ?? '').replace('gid://shopify/Order/', ''),
      record.name,
      `${customer.firstName ?? ''} ${customer.lastName ?? ''}`.trim(),
      record.email,
      address.phone,
      record._ERROR_MESSAGE_,
    ]
      .map(csvCell)
      .join(',');
  });
  return [columns.join(','), ...rows].join('\n');
};

export const createMaargSim = (ctx: MaargSimContext) => {
  const jobs = new Map<string, SimServiceJob>();
  const runs: SimServiceJobRun[] = [];
  const logs: SimDataManagerLog[] = [];
  const contents = new Map<string, string>();
  const nextRunErrors = new Map<string, string[]>();
  let autoApproveOrder = ctx.settings.autoApproveOrder;

  const fallbackParameters = (remoteId: string): SimJobParameter[] => [
    { parameterName: 'systemMessageRemoteId', parameterValue: remoteId },
    { parameterName: 'systemMessageTypeId', parameterValue: 'ShopifyOrderSync' },
    { parameterName: 'runAsBatch', parameterValue: 'true' },
  ];

  const defineJobs = () => {
    jobs.clear();
    const add = (job: Omit<SimServiceJob, 'listsParameters'> & { listsParameters?: boolean }) =>
      jobs.set(job.jobName, { listsParameters: true, ...job });
    add({
      jobName: fallbackTemplate,
      description: 'Queue Shopify order sync (template)',
      serviceName: fallbackService,
      cronExpression: '0 0/15 * * * ?',
      paused: 'Y',
      parameters: [
        { parameterName: 'systemMessageRemoteId', parameterValue: null },
        { parameterName: 'systemMessageTypeId', parameterValue: 'ShopifyOrderSync' },
        { parameterName: 'runAsBatch', parameterValue: 'true' },
        { parameterName: 'fromDate', parameterValue: null },
      ],
    });
    if (ctx.settings.fallbackJobDefined) {
      add({
        jobName: simFallbackJobName,
        description: 'Queue Shopify order sync',
        serviceName: fallbackService,
        cronExpression: '0 0/15 * * * ?',
        paused: 'N',
        parameters: fallbackParameters(ctx.settings.systemMessageRemoteId),
        lastRunTime: ctx.now(),
      });
    }
    ctx.settings.otherShopRemoteIds.forEach((remoteId, index) => {
      // The first other shop's clone carries a name that looks like ours, and the list omits its parameters.
      add({
        jobName:
          index === 0
            ? `${fallbackTemplate}_${ctx.settings.shopifyConfigId}`
            : `${fallbackTemplate}_${20010 + index}`,
        description: 'Queue Shopify order sync',
        serviceName: fallbackService,
        cronExpression: '0 0/15 * * * ?',
        paused: 'N',
        parameters: fallbackParameters(remoteId),
        listsParameters: index !== 0,
        lastRunTime: ctx.now(),
      });
    });
    if (ctx.settings.realtimeJobDefined) {
      add({
        jobName: realtimeConsumer,
        description: 'Consume Shopify Orders from SQS',
        serviceName: 'co.hotwax.shopify.order.SqsOrderImport.consume#SQSOrderMessages',
        cronExpression: '0 0/1 * * * ?',
        paused: 'N',
        parameters: [
          { parameterName: 'queueName', parameterValue: 'sim-orders.fifo' },
          { parameterName: 'systemMessageRemoteId', parameterValue: 'AWS_CONFIG' },
        ],
        listsParameters: false,
      });
    }
  };

  const reset = () => {
    runs.length = 0;
    logs.length = 0;
    contents.clear();
    nextRunErrors.clear();
    autoApproveOrder = ctx.settings.autoApproveOrder;
    defineJobs();
  };

  const jobRow = (job: SimServiceJob, withParameters: boolean): MoquiRow => ({
    jobName: job.jobName,
    description: job.description,
    serviceName: job.serviceName,
    cronExpression: job.cronExpression,
    paused: job.paused,
    ...(withParameters
      ? { serviceJobParameters: job.parameters.map((parameter) => ({ ...parameter })) }
      : {}),
  });

  const writeLog = (input: Omit<SimDataManagerLog, 'logId'> & { file?: string }): SimDataManagerLog => {
    const id = ctx.nextId();
    const { file, ...rest } = input;
    const log: SimDataManagerLog = { logId: `DML${10000 + id}`, logContentId: `DMC${id}`, ...rest };
    if (file !== undefined) {
      log.errorLogContentId = `DME${id}`;
      contents.set(log.errorLogContentId, file);
    }
    logs.push(log);
    return log;
  };

  /** A fallback sync run: imports what changed in Shopify since `fromDate` (or since the last run). */
  const syncOrders = (job: SimServiceJob, run: SimServiceJobRun, shopifyConfigId: string) => {
    const fromDate = run.parameters.fromDate;
    if (fromDate !== undefined && fromDate !== null && fromDate !== '' && !jobTimestamp.test(fromDate)) {
      run.hasError = 'Y';
      run.errors = 'Timestamp format must be yyyy-mm-dd hh:mm:ss[.fffffffff]';
      return;
    }
    const from = fromDate ? Date.parse(`${fromDate.replace(' ', 'T')}Z`) : (job.lastRunTime ?? 0);
    const result = ctx.importQueuedSince(from, shopifyConfigId);
    for (const [configId, existed] of [
      ['SYNC_SHOPIFY_ORDER', false],
      ['UPDATE_SHOPIFY_ORDER', true],
    ] as const) {
      const imported = existed ? result.updated : result.created;
      const failed = result.failed.filter((failure) => failure.existed === existed);
      if (imported.length + failed.length === 0) continue;
      const at = ctx.now();
      // One file per run and config; its format is that of the first failure (imports are JSON or CSV).
      const format = failed[0]?.format ?? 'json';
      writeLog({
        configId,
        statusId: 'DmlsFinished',
        createdDate: at,
        startDateTime: at,
        finishDateTime: at,
        totalRecordCount: imported.length + failed.length,
        failedRecordCount: failed.length,
        createdByJobRunId: run.jobRunId,
        ...(failed.length > 0
          ? {
              file: failedFile(
                failed.map((failure) => failure.record),
                format,
              ),
            }
          : {}),
      });
    }
    run.messages = `Imported ${result.created.length + result.updated.length} order(s)`;
  };

  const runNow = (job: SimServiceJob): SimServiceJobRun => {
    const run: SimServiceJobRun = {
      jobRunId: `JR${100000 + ctx.nextId()}`,
      jobName: job.jobName,
      parameters: Object.fromEntries(job.parameters.map((item) => [item.parameterName, item.parameterValue])),
      hasError: 'N',
    };
    runs.push(run);
    ctx.later(ctx.settings.importDelayMs, () => {
      run.startTime = ctx.now();
      const scripted = nextRunErrors.get(job.jobName);
      const error = scripted?.shift();
      if (scripted && scripted.length === 0) nextRunErrors.delete(job.jobName);
      if (error !== undefined) {
        run.hasError = 'Y';
        run.errors = error;
      } else if (job.serviceName === fallbackService && job.jobName !== fallbackTemplate) {
        // Other shops' orders are not in this simulator's queue: their clones import nothing from it, unless the
        // tenant serves that shop too (one tenant, several shops: `otherShopifyConfigIds`).
        // Each clone syncs its own shop's orders only.
        const remoteId = String(run.parameters.systemMessageRemoteId);
        if (remoteId === ctx.settings.systemMessageRemoteId)
          syncOrders(job, run, ctx.settings.shopifyConfigId);
        else if (ctx.settings.otherShopifyConfigIds.includes(remoteId)) syncOrders(job, run, remoteId);
      }
      run.endTime = ctx.now();
      if (run.hasError === 'N') job.lastRunTime = run.startTime;
    });
    return run;
  };

  const moquiError = (res: ServerResponse, call: { status?: number }, status: number, errors: string) =>
    ctx.send(res, call, status, { errorCode: status, errors });

  const readJson = (text: string): Record<string, unknown> | undefined => {
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };

  /** `endpoint` is the path below `/rest/s1/`. */
  const route = (
    req: IncomingMessage,
    res: ServerResponse,
    call: { status?: number },
    endpoint: string,
    url: URL,
    text: string,
  ) => {
    const method = req.method ?? 'GET';
    const query = url.searchParams;
    if (endpoint === 'admin/checkLoginOptions' && method === 'GET') {
      return ctx.send(res, call, 200, { loginAuthType: 'BASIC', loginAuthUrl: '' });
    }
    if (endpoint === 'admin/login' && method === 'POST') {
      const body = readJson(text);
      if (body?.username !== ctx.settings.username || body?.password !== ctx.settings.password) {
        return moquiError(res, call, 401, 'Login failed: username or password incorrect');
      }
      return ctx.send(res, call, 200, ctx.issueToken());
    }
    if (!ctx.authorized(req)) return moquiError(res, call, 401, 'User must be logged in to call this API');

    if (endpoint === 'oms/orders' && method === 'GET') {
      const page = moquiFind(ctx.orderRows(), query, orderFields, 100);
      return ctx.send(res, call, 200, page.rows, 'application/json', moquiHeaders(page));
    }
    const jobMatch = /^admin\/serviceJobs(?:\/([^/]+))?(?:\/(runNow|runs))?$/.exec(endpoint);
    if (jobMatch) {
      const jobName = jobMatch[1] ? decodeURIComponent(jobMatch[1]) : undefined;
      const action = jobMatch[2];
      if (!jobName) {
        if (method !== 'GET') return moquiError(res, call, 405, 'Method not allowed');
        const all = [...jobs.values()].map((job) => ({ ...jobRow(job, job.listsParameters) }));
        const page = moquiFind(all, query, ['jobName', 'description', 'serviceName', 'paused'], 100);
        return ctx.send(res, call, 200, { serviceJobList: page.rows, serviceJobListCount: page.count });
      }
      const job = jobs.get(jobName);
      if (!job) return moquiError(res, call, 404, `ServiceJob ${jobName} not found`);
      if (!action && method === 'GET') return ctx.send(res, call, 200, { jobDetail: jobRow(job, true) });
      if (!action && method === 'PUT') {
        const body = readJson(text);
        if (!body) return moquiError(res, call, 400, 'Request body must be a JSON object');
        if (body.jobName !== undefined && body.jobName !== jobName)
          return moquiError(res, call, 400, `jobName ${String(body.jobName)} does not match ${jobName}`);
        if (body.serviceJobParameters !== undefined) {
          if (!Array.isArray(body.serviceJobParameters))
            return moquiError(res, call, 400, 'serviceJobParameters must be a list');
          const next: SimJobParameter[] = [];
          for (const item of body.serviceJobParameters as unknown[]) {
            const entry = item as Record<string, unknown> | null;
            if (typeof entry?.parameterName !== 'string' || entry.parameterName === '')
              return moquiError(res, call, 400, 'every parameter needs a parameterName');
            const value = entry.parameterValue;
            next.push({
              parameterName: entry.parameterName,
              parameterValue: value === undefined || value === null ? null : String(value),
            });
          }
          // The set is replaced as sent (the monitor always sends the whole set).
          job.parameters = next;
        }
        if (body.paused === 'Y' || body.paused === 'N') job.paused = body.paused;
        return ctx.send(res, call, 200, { jobName });
      }
      if (action === 'runNow' && method === 'POST') {
        // Body parameters are ignored, as HotWax's runNow ignores them.
        return ctx.send(res, call, 200, { jobRunId: runNow(job).jobRunId });
      }
      if (action === 'runs' && method === 'GET') {
        const rows = runs
          .filter((run) => run.jobName === jobName)
          .map((run) => ({
            jobRunId: run.jobRunId,
            jobName: run.jobName,
            startTime: run.startTime,
            endTime: run.endTime,
            hasError: run.hasError,
            errors: run.errors,
            messages: run.messages,
            parameters: JSON.stringify(run.parameters),
          }));
        const page = moquiFind(rows, query, runFields, 100);
        return ctx.send(res, call, 200, page.rows, 'application/json', moquiHeaders(page));
      }
      return moquiError(res, call, 405, 'Method not allowed');
    }
    if (endpoint === 'admin/dataManager/details' && method === 'GET') {
      const page = moquiFind(logs as unknown as MoquiRow[], query, logFields, 20);
      return ctx.send(res, call, 200, { dataManagerLogs: page.rows, dataManagerLogsCount: page.count });
    }
    if (endpoint === 'admin/dataManager/downloadDataManagerFile' && method === 'GET') {
      const contentId = query.get('logContentId') ?? '';
      const log = logs.find((candidate) => candidate.errorLogContentId === contentId);
      const file = contents.get(contentId);
      if (!log || log.configId !== query.get('configId') || file === undefined)
        return ctx.send(res, call, 200, {});
      return ctx.send(res, call, 200, { csvData: file });
    }
    // Job Manager's `fetchConfigById`: one Data Manager config as an object.
    const config = /^admin\/dataManager\/([^/]+)$/.exec(endpoint);
    if (config && method === 'GET') {
      const configId = decodeURIComponent(config[1] ?? '');
      if (!ctx.settings.importConfigsDefined || !importConfigIds.includes(configId))
        return moquiError(res, call, 404, `DataManagerConfig ${configId} not found`);
      return ctx.send(res, call, 200, {
        configId,
        description: configId === 'SYNC_SHOPIFY_ORDER' ? 'Sync Shopify orders' : 'Update Shopify orders',
        importServiceName: 'co.hotwax.sob.order.ShopifyOrderServices.sync#ShopifyOrder',
        executionModeId: 'DMC_QUEUE',
      });
    }
    const store = /^(admin|oms)\/productStores\/([^/]+)$/.exec(endpoint);
    if (store && method === 'GET') {
      if (decodeURIComponent(store[2] ?? '') !== ctx.settings.productStoreId)
        return moquiError(res, call, 404, 'ProductStore not found');
      return ctx.send(res, call, 200, {
        productStoreId: ctx.settings.productStoreId,
        storeName: 'Simulated store',
        ...(autoApproveOrder ? { autoApproveOrder } : {}),
      });
    }
    return moquiError(res, call, 404, `Resource ${endpoint} not found`);
  };

  defineJobs();

  return {
    route,
    reset,
    /** every ServiceJob, parameters included */
    serviceJobs: () =>
      [...jobs.values()].map((job) => ({ ...job, parameters: job.parameters.map((p) => ({ ...p })) })),
    serviceJob: (jobName: string) => {
      const job = jobs.get(jobName);
      return job && { ...job, parameters: job.parameters.map((p) => ({ ...p })) };
    },
    setServiceJobPaused(jobName: string, paused: boolean) {
      const job = jobs.get(jobName);
      if (!job) throw new Error(`no simulated ServiceJob ${jobName}`);
      job.paused = paused ? 'Y' : 'N';
    },
    removeServiceJob(jobName: string) {
      jobs.delete(jobName);
    },
    /** a run of the job as its schedule starts it (its parameters as they are); resolves to its jobRunId */
    runScheduled(jobName: string) {
      const job = jobs.get(jobName);
      if (!job) throw new Error(`no simulated ServiceJob ${jobName}`);
      return runNow(job).jobRunId;
    },
    /** the next runs of a job end with these errors, one per run */
    failNextRuns(jobName: string, count: number, errors = 'Simulated job failure') {
      const list = nextRunErrors.get(jobName) ?? [];
      for (let index = 0; index < count; index++) list.push(errors);
      nextRunErrors.set(jobName, list);
    },
    /** finished runs in the job's history, oldest first */
    addServiceJobRuns(jobName: string, outcomes: readonly ('ok' | 'error')[]) {
      let at = ctx.now() - outcomes.length * 60_000;
      for (const outcome of outcomes) {
        at += 60_000;
        runs.push({
          jobRunId: `JR${100000 + ctx.nextId()}`,
          jobName,
          parameters: {},
          startTime: at,
          endTime: at + 1_000,
          hasError: outcome === 'error' ? 'Y' : 'N',
          ...(outcome === 'error' ? { errors: 'Simulated job failure' } : {}),
        });
      }
    },
    serviceJobRuns: (jobName?: string) =>
      runs
        .filter((run) => !jobName || run.jobName === jobName)
        .map((run) => ({ ...run, parameters: { ...run.parameters } })),
    dataManagerLogs: () => logs.map((log) => ({ ...log })),
    /** a Data Manager log as a test scripts it (e.g. a whole file that failed) */
    addDataManagerLog: (input: Omit<SimDataManagerLog, 'logId'> & { file?: string }) => ({
      ...writeLog(input),
    }),
    /** a log changed by HotWax after it was written (a re-run of its file that failed more records) */
    updateDataManagerLog(
      logId: string,
      changes: Partial<Omit<SimDataManagerLog, 'logId' | 'errorLogContentId'>> & { file?: string },
    ) {
      const log = logs.find((candidate) => candidate.logId === logId);
      if (!log) throw new Error(`no simulated Data Manager log ${logId}`);
      const { file, ...rest } = changes;
      Object.assign(log, rest);
      if (file !== undefined) {
        log.errorLogContentId ??= `DME${ctx.nextId()}`;
        contents.set(log.errorLogContentId, file);
      }
    },
    dataManagerFile: (contentId: string) => contents.get(contentId),
    setAutoApproveOrder(value: string) {
      autoApproveOrder = value;
    },
  };
};

export type MaargSim = ReturnType<typeof createMaargSim>;
