import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FindRequestError, parseFindRequest, performFind, type Row } from './perform-find.js';

/**
 * An in-process HotWax OMS speaking the wire format of hotwax-api.md on a free loopback port: Bearer auth,
 * `performFind` / `findJobs` with `docs` + `count` or `{"error":"No record found"}`, `scheduleService`, the
 * Shopify Order MDM's logs and failed-record files, and the configurable per-order services. Tests and the local
 * sandbox script it (queue Shopify orders, make imports fail, inject faults) and read its call log.
 * It must not import vitest: the sandbox runs it at runtime.
 */

export type SimOrderStatus =
  | 'ORDER_CREATED'
  | 'ORDER_APPROVED'
  | 'ORDER_HOLD'
  | 'ORDER_COMPLETED'
  | 'ORDER_CANCELLED'
  | (string & {});

export type SimJobStatus =
  | 'SERVICE_DRAFT'
  | 'SERVICE_PENDING'
  | 'SERVICE_QUEUED'
  | 'SERVICE_RUNNING'
  | 'SERVICE_FINISHED'
  | 'SERVICE_FAILED'
  | 'SERVICE_CRASHED'
  | 'SERVICE_CANCELLED';

export interface HotwaxSimOptions {
  /** login credentials accepted by `POST /api/login`, default `monitor` / `monitor-password` */
  username?: string;
  password?: string;
  /** a long-lived JWT accepted as Bearer, default `sim-api-token` */
  apiToken?: string;
  /** life of login tokens, default 1 hour */
  tokenTtlMs?: number;
  shopifyConfigId?: string;
  shopId?: string;
  productStoreId?: string;
  orderMdmConfigId?: string;
  /** names of the configurable services (`POST /api/service/<name>`) */
  importOrderService?: string;
  refreshOrderService?: string;
  /** delay before a New Orders run (or a per-order import) imports the queue, default 20 ms */
  importDelayMs?: number;
  /** delay before a refresh creates the new version, default 20 ms */
  refreshDelayMs?: number;
  /** delay before an approval run approves, default 20 ms */
  approvalDelayMs?: number;
  /** status of the new version a refresh creates, default ORDER_COMPLETED */
  refreshResult?: SimOrderStatus;
  /** false: refreshes are accepted but never create a new version (escalation tests), default true */
  refreshWorks?: boolean;
  /** a SERVICE_PENDING (recurring) JOB_APR_ORD exists, default true */
  approvalJobScheduled?: boolean;
  /** the New Orders job (JOB_IMP_ORD) is set up, default true */
  newOrdersJobDefined?: boolean;
  host?: string;
  port?: number;
  now?: () => number;
  /** calls kept in `calls` (oldest dropped first); `callCount` without a filter counts all, default 10 000 */
  maxCallLog?: number;
}

type Resolved = Required<Omit<HotwaxSimOptions, 'host' | 'port' | 'now' | 'maxCallLog'>>;

export interface SimOrder {
  orderId: string;
  externalId: string;
  orderName: string;
  statusId: SimOrderStatus;
  salesChannelEnumId: string;
  orderDate: number;
  entryDate: number;
  /** the approval job approves it (payment authorised or settled) */
  approvable: boolean;
}

export type AddOrderInput = Partial<Omit<SimOrder, 'externalId'>> & { externalId: string };

/** How a failed record looks in the MDM file; HotWax has not published the layout, so several are served. */
export type FailedRecordShape = 'shopify' | 'wrapped' | 'gid';

export interface QueuedShopifyOrder {
  shopifyOrderId: string;
  orderName: string;
  channel: 'pos' | 'web';
  importAs: SimOrderStatus;
  failure?: { errorText: string; shape: FailedRecordShape };
}

export interface SimJob {
  jobId: string;
  jobName: string;
  serviceName: string;
  systemJobEnumId: string;
  statusId: SimJobStatus;
  runTime?: number;
  tempExprId?: string;
  shopId?: string;
  productStoreId?: string;
  parentJobId?: string;
  /** service parameters a run was scheduled with (e.g. orderId) */
  parameters?: Record<string, unknown>;
}

export interface SimMdmLog {
  logId: string;
  configId: string;
  statusId: SimJobStatus;
  createdDate: number;
  startDateTime: number;
  finishDateTime: number;
  logFileContentId: string;
  errorRecordContentId?: string;
}

export interface SimCall {
  method: string;
  /** path below `/api/`, e.g. `performFind`, `service/refreshShopifyOrder` */
  endpoint: string;
  query: Record<string, string[]>;
  body?: unknown;
  at: number;
  /** the status answered; undefined while pending or when the sim never answered (timeout fault) */
  status?: number;
}

export interface FaultOptions {
  /** only requests to this endpoint (`performFind`, `/api/login`, `service/x`) */
  path?: string;
}

type FaultKind =
  | { kind: 'status'; status: number }
  | { kind: 'timeout' }
  | { kind: 'error200'; message: string }
  | { kind: 'html' };
type Fault = FaultKind & { remaining: number; path?: string };

export interface HotwaxSim {
  url: string;
  /** the resolved options (credentials, ids, service names) */
  readonly settings: Readonly<Resolved>;
  /** HOTWAX_* environment for a monitor pointed at this sim, with login credentials (default) or the API token */
  env(auth?: 'login' | 'token'): Record<string, string>;
  stop(): Promise<void>;
  /** forget all state, faults and calls; back to the options given at start */
  reset(): void;
  /** resolves once every delayed import, refresh and approval has happened */
  idle(): Promise<void>;

  expireTokens(): void;

  addOrder(input: AddOrderInput): SimOrder;
  setStatus(orderId: string, statusId: SimOrderStatus): void;
  setApprovable(orderId: string, approvable: boolean): void;
  getOrder(orderId: string): SimOrder | undefined;
  /** every version, oldest first */
  getOrdersByExternalId(externalId: string): SimOrder[];
  listOrders(): SimOrder[];

  queueShopifyOrder(input: {
    shopifyOrderId: string;
    orderName?: string;
    channel?: 'pos' | 'web';
    importAs?: SimOrderStatus;
  }): void;
  failImport(shopifyOrderId: string, errorText: string, options?: { shape?: FailedRecordShape }): void;
  fixImport(shopifyOrderId: string): void;
  queuedShopifyOrders(): QueuedShopifyOrder[];

  setRefreshWorks(works: boolean): void;
  setRefreshResult(statusId: SimOrderStatus): void;

  setApprovalJobScheduled(scheduled: boolean): void;
  /** how the next runs of a job end, default SERVICE_FINISHED; a failed run changes nothing */
  setJobRunOutcome(
    systemJobEnumId: string,
    statusId: 'SERVICE_FINISHED' | 'SERVICE_FAILED' | 'SERVICE_CRASHED',
  ): void;
  jobRuns(systemJobEnumId?: string): SimJob[];
  mdmLogs(): SimMdmLog[];
  /** the failed-record file of a data resource, as served */
  fileOf(dataResourceId: string): string | undefined;

  failNext(count: number, options?: FaultOptions & { status?: number }): void;
  /** the next requests never get an answer until the client gives up */
  timeoutNext(count: number, options?: FaultOptions): void;
  errorIn200Next(count: number, message?: string, options?: FaultOptions): void;
  htmlNext(count: number, options?: FaultOptions): void;
  setLatency(ms: number): void;
  /** every call answers 503 while down */
  down(isDown: boolean): void;

  /** the most recent calls (see `maxCallLog`), oldest first */
  readonly calls: readonly SimCall[];
  /**
   * Calls to an endpoint (all when omitted), failed and unanswered ones included. With `where` (query values or a
   * predicate) only the calls still in `calls` are counted.
   */
  callCount(endpoint?: string, where?: Record<string, string> | ((call: SimCall) => boolean)): number;
  clearCalls(): void;
}

const defaults: Resolved = {
  username: 'monitor',
  password: 'monitor-password',
  apiToken: 'sim-api-token',
  tokenTtlMs: 3_600_000,
  shopifyConfigId: 'SHOPIFY_CONFIG_SIM',
  shopId: 'SIM_SHOP',
  productStoreId: 'STORE',
  orderMdmConfigId: 'CRT_SHOPIFY_ORDER',
  importOrderService: 'importShopifyOrderById',
  refreshOrderService: 'refreshShopifyOrder',
  importDelayMs: 20,
  refreshDelayMs: 20,
  approvalDelayMs: 20,
  refreshResult: 'ORDER_COMPLETED',
  refreshWorks: true,
  approvalJobScheduled: true,
  newOrdersJobDefined: true,
};

const jobKinds = {
  JOB_IMP_ORD: { jobName: 'Import new orders', serviceName: 'createOrdersFromShopify', draftId: '10231' },
  JOB_IMP_MISS_ORD: {
    jobName: 'Import missing orders',
    serviceName: 'importLastDayMissingOrders',
    draftId: '10241',
  },
  JOB_APR_ORD: { jobName: 'Approve orders', serviceName: 'approvePendingShopifyOrders', draftId: '10301' },
} as const;

const channels = { pos: 'POS_SALES_CHANNEL', web: 'WEB_SALES_CHANNEL' } as const;

const loginPage =
  '<!DOCTYPE html><html><head><title>HotWax Commerce: Login</title></head><body><form action="/commerce/control/login"></form></body></html>';

const normalizeEndpoint = (path: string): string => path.replace(/^\/+/, '').replace(/^api\//, '');

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const startHotwaxSim = async (options: HotwaxSimOptions = {}): Promise<HotwaxSim> => {
  const settings: Resolved = {
    ...defaults,
    ...Object.fromEntries(
      Object.entries(options).filter(([key, value]) => value !== undefined && key in defaults),
    ),
  } as Resolved;
  const now = options.now ?? Date.now;

  // --- state -------------------------------------------------------------------------------------------------
  let sequence = 0;
  let lastEntryDate = 0;
  let tokens = new Map<string, number>();
  let orders = new Map<string, SimOrder>();
  let queue = new Map<string, QueuedShopifyOrder>();
  let jobs: SimJob[] = [];
  let logs: SimMdmLog[] = [];
  let contents = new Map<string, string>(); // contentId → dataResourceId
  let files = new Map<string, string>(); // dataResourceId → file text
  let outcomes = new Map<string, SimJobStatus>();
  let faults: Fault[] = [];
  let latencyMs = 0;
  let isDown = false;
  let refreshWorks = settings.refreshWorks;
  let refreshResult = settings.refreshResult;
  let approvalScheduled = settings.approvalJobScheduled;
  const calls: SimCall[] = [];
  const counts = new Map<string, number>();
  const maxCallLog = options.maxCallLog ?? 10_000;
  const timers = new Map<NodeJS.Timeout, () => void>();
  const pending = new Set<Promise<void>>();
  const hanging = new Set<ServerResponse>();

  const nextId = () => ++sequence;
  const stamp = () => {
    // Strictly increasing, so a refreshed version is always newer than the one it replaces.
    lastEntryDate = Math.max(now(), lastEntryDate + 1);
    return lastEntryDate;
  };

  const later = (delayMs: number, work: () => void) => {
    let settle: () => void = () => {};
    const promise = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const timer = setTimeout(() => {
      try {
        work();
      } finally {
        timers.delete(timer);
        settle();
      }
    }, delayMs);
    timers.set(timer, settle);
    pending.add(promise);
    promise.then(() => pending.delete(promise));
  };

  /** Drops scheduled work without doing it; whoever waits in `idle()` is released. */
  const cancelWork = () => {
    for (const [timer, settle] of timers) {
      clearTimeout(timer);
      settle();
    }
    timers.clear();
  };

  // Runs ("Run now") get RUN ids; everything else is a job definition (template or recurring schedule).
  const isDefinition = (job: SimJob) => !job.jobId.startsWith('RUN');

  const defineJobs = () => {
    jobs = jobs.filter((job) => !isDefinition(job));
    const definitions: SimJob[] = [];
    const draft = (systemJobEnumId: keyof typeof jobKinds): SimJob => ({
      jobId: jobKinds[systemJobEnumId].draftId,
      jobName: jobKinds[systemJobEnumId].jobName,
      serviceName: jobKinds[systemJobEnumId].serviceName,
      systemJobEnumId,
      statusId: 'SERVICE_DRAFT',
    });
    const scheduled = (systemJobEnumId: keyof typeof jobKinds, jobId: string): SimJob => ({
      ...draft(systemJobEnumId),
      jobId,
      statusId: 'SERVICE_PENDING',
      runTime: now() + 15 * 60_000,
      tempExprId: 'EVERY_15_MIN',
      shopId: settings.shopId,
      productStoreId: settings.productStoreId,
      parentJobId: jobKinds[systemJobEnumId].draftId,
    });
    if (settings.newOrdersJobDefined) {
      definitions.push(draft('JOB_IMP_ORD'), scheduled('JOB_IMP_ORD', '10232'));
    }
    definitions.push(draft('JOB_IMP_MISS_ORD'), draft('JOB_APR_ORD'));
    if (approvalScheduled) definitions.push(scheduled('JOB_APR_ORD', '10302'));
    jobs = [...definitions, ...jobs];
  };

  const initialState = () => {
    cancelWork();
    for (const res of hanging) res.destroy();
    hanging.clear();
    // Ids keep counting across resets: HotWax never reuses one, and clients cache files by data resource id.
    tokens = new Map();
    orders = new Map();
    queue = new Map();
    jobs = [];
    logs = [];
    contents = new Map();
    files = new Map();
    outcomes = new Map();
    faults = [];
    latencyMs = 0;
    isDown = false;
    refreshWorks = settings.refreshWorks;
    refreshResult = settings.refreshResult;
    approvalScheduled = settings.approvalJobScheduled;
    calls.length = 0;
    counts.clear();
    defineJobs();
  };

  // --- orders ------------------------------------------------------------------------------------------------
  const addOrder = (input: AddOrderInput): SimOrder => {
    const entryDate = input.entryDate ?? stamp();
    const order: SimOrder = {
      orderId: input.orderId ?? `HC${10000 + nextId()}`,
      externalId: input.externalId,
      orderName: input.orderName ?? `#${1000 + (sequence % 9000)}`,
      statusId: input.statusId ?? 'ORDER_CREATED',
      salesChannelEnumId: input.salesChannelEnumId ?? channels.web,
      orderDate: input.orderDate ?? entryDate,
      entryDate,
      approvable: input.approvable ?? true,
    };
    lastEntryDate = Math.max(lastEntryDate, entryDate);
    orders.set(order.orderId, order);
    return { ...order };
  };

  const liveOrder = (externalId: string) =>
    [...orders.values()].find(
      (order) => order.externalId === externalId && order.statusId !== 'ORDER_CANCELLED',
    );

  const failedRecord = (queued: QueuedShopifyOrder): Record<string, unknown> => {
    const numeric =
      /^\d+$/.test(queued.shopifyOrderId) && Number.isSafeInteger(Number(queued.shopifyOrderId));
    const id = numeric ? Number(queued.shopifyOrderId) : queued.shopifyOrderId;
    const gid = `gid://shopify/Order/${queued.shopifyOrderId}`;
    const errorText = queued.failure?.errorText ?? '';
    const lineItems = numeric
      ? [{ id: (id as number) * 10 + 1, sku: 'TEE-1', quantity: 1, price: '25.00' }]
      : [{ id: `${queued.shopifyOrderId}-1`, sku: 'TEE-1', quantity: 1, price: '25.00' }];
    switch (queued.failure?.shape ?? 'shopify') {
      case 'wrapped':
        return {
          order: { id: queued.shopifyOrderId, name: queued.orderName, source_name: queued.channel },
          errorMessage: errorText,
        };
      case 'gid':
        return { orderId: gid, orderName: queued.orderName, message: errorText };
      default:
        return {
          id,
          admin_graphql_api_id: gid,
          name: queued.orderName,
          source_name: queued.channel,
          financial_status: 'paid',
          line_items: lineItems,
          _ERROR_MESSAGE_: errorText,
        };
    }
  };

  const writeMdmLog = (failures: QueuedShopifyOrder[]) => {
    const id = nextId();
    const at = now();
    const log: SimMdmLog = {
      logId: `${10000 + id}`,
      configId: settings.orderMdmConfigId,
      statusId: 'SERVICE_FINISHED',
      createdDate: at,
      startDateTime: at,
      finishDateTime: at,
      logFileContentId: `LOG${id}`,
    };
    if (failures.length > 0) {
      log.errorRecordContentId = `ERR${id}`;
      contents.set(log.errorRecordContentId, `DR${id}`);
      files.set(`DR${id}`, JSON.stringify(failures.map(failedRecord), null, 2));
    }
    logs.push(log);
  };

  /** Imports queued orders the way the MDM does: good ones become orders, bad ones land in the error file. */
  const importQueued = (shopifyOrderIds?: readonly string[]) => {
    const failures: QueuedShopifyOrder[] = [];
    for (const queued of [...queue.values()]) {
      if (shopifyOrderIds && !shopifyOrderIds.includes(queued.shopifyOrderId)) continue;
      if (queued.failure) {
        failures.push(queued);
        continue;
      }
      queue.delete(queued.shopifyOrderId);
      if (liveOrder(queued.shopifyOrderId)) continue;
      addOrder({
        externalId: queued.shopifyOrderId,
        orderName: queued.orderName,
        statusId: queued.importAs,
        salesChannelEnumId: channels[queued.channel],
      });
    }
    writeMdmLog(failures);
  };

  const refresh = (order: SimOrder) => {
    if (!refreshWorks || order.statusId === 'ORDER_CANCELLED') return;
    addOrder({
      externalId: order.externalId,
      orderName: order.orderName,
      statusId: refreshResult,
      salesChannelEnumId: order.salesChannelEnumId,
      orderDate: order.orderDate,
      approvable: order.approvable,
    });
    order.statusId = 'ORDER_CANCELLED';
  };

  const approve = (orderId?: string) => {
    for (const order of orders.values()) {
      if (orderId && order.orderId !== orderId) continue;
      if (order.statusId === 'ORDER_CREATED' && order.approvable) order.statusId = 'ORDER_APPROVED';
    }
  };

  // --- jobs --------------------------------------------------------------------------------------------------
  const startRun = (
    definition: SimJob,
    parameters: Record<string, unknown>,
    delayMs: number,
    work: () => void,
  ) => {
    const run: SimJob = {
      jobId: `RUN${nextId()}`,
      jobName: definition.jobName,
      serviceName: definition.serviceName,
      systemJobEnumId: definition.systemJobEnumId,
      statusId: 'SERVICE_PENDING',
      runTime: now(),
      shopId: settings.shopId,
      productStoreId: settings.productStoreId,
      parentJobId: definition.jobId,
      parameters,
    };
    jobs.push(run);
    later(delayMs, () => {
      const outcome = outcomes.get(run.systemJobEnumId) ?? 'SERVICE_FINISHED';
      if (outcome === 'SERVICE_FINISHED') work();
      run.statusId = outcome;
    });
  };

  // --- HTTP --------------------------------------------------------------------------------------------------
  const send = (
    res: ServerResponse,
    call: SimCall,
    status: number,
    body: unknown,
    type = 'application/json',
  ) => {
    call.status = status;
    if (res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': `${type}; charset=utf-8`,
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  const ok = (res: ServerResponse, call: SimCall, body: unknown) => send(res, call, 200, body);
  const hotwaxError = (res: ServerResponse, call: SimCall, message: string) =>
    ok(res, call, { _ERROR_MESSAGE_: message });

  const authorized = (req: IncomingMessage): boolean => {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match?.[1]) return false;
    if (match[1] === settings.apiToken) return true;
    const expiresAt = tokens.get(match[1]);
    return expiresAt !== undefined && now() < expiresAt;
  };

  const takeFault = (endpoint: string): Fault | undefined => {
    const fault = faults.find(
      (candidate) => !candidate.path || normalizeEndpoint(candidate.path) === endpoint,
    );
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) faults = faults.filter((candidate) => candidate !== fault);
    return fault;
  };

  const parseJson = (text: string): Record<string, unknown> | undefined => {
    try {
      const parsed: unknown = JSON.parse(text);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  };

  const find = (res: ServerResponse, call: SimCall, query: URLSearchParams, rows: readonly Row[]) => {
    const result = performFind(rows, parseFindRequest(query));
    if (result.docs.length === 0) return ok(res, call, { error: 'No record found' });
    return ok(res, call, result);
  };

  const entities: Record<string, () => Row[]> = {
    OrderHeader: () =>
      [...orders.values()].map(({ approvable: _approvable, ...order }) => ({ ...order }) as unknown as Row),
    DataManagerLogAndContent: () => logs.map((log) => ({ ...log }) as unknown as Row),
    DataResourceContentView: () =>
      [...contents.entries()].map(([coContentId, coDataResourceId]) => ({
        coContentId,
        coDataResourceId,
        coContentTypeId: 'DOCUMENT',
        drDataResourceName: `${coDataResourceId}.json`,
      })),
  };

  const scheduleService = (res: ServerResponse, call: SimCall, body: Record<string, unknown>) => {
    const systemJobEnumId = String(body.systemJobEnumId ?? '');
    const jobFields = isRecord(body.jobFields) ? body.jobFields : {};
    const parentJobId = String(jobFields.parentJobId ?? '');
    const parent = jobs.find((job) => isDefinition(job) && job.jobId === parentJobId);
    if (!body.JOB_NAME || !body.SERVICE_NAME || body.statusId !== 'SERVICE_PENDING' || !systemJobEnumId) {
      return hotwaxError(res, call, 'JOB_NAME, SERVICE_NAME, statusId and systemJobEnumId are required');
    }
    if (!parent || parent.systemJobEnumId !== systemJobEnumId) {
      return hotwaxError(res, call, `Job [${parentJobId}] not found for ${systemJobEnumId}`);
    }
    if (body.SERVICE_NAME !== parent.serviceName) {
      return hotwaxError(
        res,
        call,
        `Service [${String(body.SERVICE_NAME)}] does not match job ${parent.jobId}`,
      );
    }
    if (systemJobEnumId === 'JOB_IMP_ORD') {
      if (body.shopifyConfigId !== settings.shopifyConfigId) {
        return hotwaxError(res, call, `ShopifyConfig [${String(body.shopifyConfigId)}] not found`);
      }
      startRun(parent, {}, settings.importDelayMs, () => importQueued());
    } else if (systemJobEnumId === 'JOB_APR_ORD') {
      const orderId = typeof body.orderId === 'string' ? body.orderId : undefined;
      startRun(parent, orderId ? { orderId } : {}, settings.approvalDelayMs, () => approve(orderId));
    } else {
      startRun(parent, {}, settings.importDelayMs, () => {});
    }
    return ok(res, call, { successMessage: `Service ${parent.serviceName} has been scheduled` });
  };

  const callService = (res: ServerResponse, call: SimCall, name: string, body: Record<string, unknown>) => {
    if (name === settings.importOrderService) {
      const shopifyOrderId = String(body.shopifyOrderId ?? '');
      if (body.shopifyConfigId !== settings.shopifyConfigId) {
        return hotwaxError(res, call, `ShopifyConfig [${String(body.shopifyConfigId)}] not found`);
      }
      if (!queue.has(shopifyOrderId) && !liveOrder(shopifyOrderId)) {
        return hotwaxError(res, call, `Order [${shopifyOrderId}] not found in Shopify`);
      }
      if (queue.has(shopifyOrderId)) later(settings.importDelayMs, () => importQueued([shopifyOrderId]));
      return ok(res, call, { successMessage: 'Order import has been queued' });
    }
    if (name === settings.refreshOrderService) {
      const order = orders.get(String(body.orderId ?? ''));
      if (!order) return hotwaxError(res, call, `Order [${String(body.orderId)}] not found`);
      later(settings.refreshDelayMs, () => refresh(order));
      return ok(res, call, { successMessage: 'Order refresh has been queued' });
    }
    return hotwaxError(res, call, `Service [${name}] not found`);
  };

  const route = async (req: IncomingMessage, res: ServerResponse, call: SimCall, url: URL, text: string) => {
    const endpoint = call.endpoint;
    const method = req.method ?? 'GET';
    if (endpoint === 'login' && method === 'POST') {
      const body = parseJson(text);
      if (body?.USERNAME !== settings.username || body?.PASSWORD !== settings.password) {
        return hotwaxError(res, call, 'The password was not correct, please re-enter.');
      }
      const token = `sim.${randomBytes(16).toString('hex')}`;
      const expirationTime = now() + settings.tokenTtlMs;
      tokens.set(token, expirationTime);
      return ok(res, call, { token, expirationTime });
    }
    if (!authorized(req)) return send(res, call, 401, { error: 'Unauthorized' });

    const get = method === 'GET';
    if (endpoint === 'performFind' && get) {
      const entity = entities[url.searchParams.get('entityName') ?? ''];
      if (!entity) return hotwaxError(res, call, `Entity [${url.searchParams.get('entityName')}] not found`);
      return find(res, call, url.searchParams, entity());
    }
    if (endpoint === 'findJobs' && get) return find(res, call, url.searchParams, jobs as unknown as Row[]);
    if (endpoint === 'DownloadCsvFile' && get) {
      const file = files.get(url.searchParams.get('dataResourceId') ?? '');
      if (file === undefined) return hotwaxError(res, call, 'DataResource not found');
      return send(res, call, 200, file, 'text/csv');
    }
    if (method === 'POST' && (endpoint === 'scheduleService' || endpoint.startsWith('service/'))) {
      const body = parseJson(text);
      if (!body) return send(res, call, 400, { _ERROR_MESSAGE_: 'The request body must be a JSON object' });
      if (endpoint === 'scheduleService') return scheduleService(res, call, body);
      return callService(res, call, decodeURIComponent(endpoint.slice('service/'.length)), body);
    }
    return send(res, call, 404, `<html><body>Not Found: ${endpoint}</body></html>`, 'text/html');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const text = await readBody(req);
    const query: Record<string, string[]> = {};
    for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
    const endpoint = normalizeEndpoint(url.pathname);
    let body: unknown = text ? (parseJson(text) ?? text) : undefined;
    // The call log is for assertions and benchmarks; it never keeps a password.
    if (isRecord(body) && 'PASSWORD' in body) body = { ...body, PASSWORD: '[redacted]' };
    const call: SimCall = { method: req.method ?? 'GET', endpoint, query, body, at: now() };
    calls.push(call);
    counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
    // A sandbox runs for hours: keep the recent calls, count all of them.
    if (calls.length > maxCallLog) calls.splice(0, calls.length - maxCallLog);

    if (isDown) {
      return send(
        res,
        call,
        503,
        '<html><body>503 Service Temporarily Unavailable</body></html>',
        'text/html',
      );
    }
    const fault = takeFault(call.endpoint);
    if (fault?.kind === 'timeout') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (fault?.kind === 'status')
      return send(res, call, fault.status, `<html><body>${fault.status}</body></html>`, 'text/html');
    if (fault?.kind === 'error200') return hotwaxError(res, call, fault.message);
    if (fault?.kind === 'html') return send(res, call, 200, loginPage, 'text/html');
    if (!url.pathname.startsWith('/api/'))
      return send(res, call, 404, '<html><body>Not Found</body></html>', 'text/html');
    try {
      await route(req, res, call, url, text);
    } catch (error) {
      if (error instanceof FindRequestError) return hotwaxError(res, call, error.message);
      throw error;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`simulator error: ${(error as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;

  initialState();

  const queueEntry = (shopifyOrderId: string): QueuedShopifyOrder => {
    let queued = queue.get(shopifyOrderId);
    if (!queued) {
      queued = {
        shopifyOrderId,
        orderName: `#${1000 + nextId()}`,
        channel: 'web',
        importAs: 'ORDER_CREATED',
      };
      queue.set(shopifyOrderId, queued);
    }
    return queued;
  };

  const addFault = (count: number, fault: FaultKind & { path?: string }) => {
    if (count > 0) faults.push({ ...fault, remaining: count });
  };

  return {
    url,
    settings,
    env: (auth = 'login') => ({
      HOTWAX_BASE_URL: url,
      ...(auth === 'token'
        ? { HOTWAX_API_TOKEN: settings.apiToken }
        : { HOTWAX_USERNAME: settings.username, HOTWAX_PASSWORD: settings.password }),
      HOTWAX_SHOPIFY_CONFIG_ID: settings.shopifyConfigId,
      HOTWAX_SHOP_ID: settings.shopId,
      HOTWAX_PRODUCT_STORE_ID: settings.productStoreId,
      HOTWAX_ORDER_MDM_CONFIG_ID: settings.orderMdmConfigId,
      HOTWAX_IMPORT_ORDER_SERVICE: settings.importOrderService,
      HOTWAX_REFRESH_ORDER_SERVICE: settings.refreshOrderService,
    }),
    async stop() {
      cancelWork();
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    reset: initialState,
    async idle() {
      // Work may schedule more work (a run that triggers another), so wait until nothing is left.
      while (pending.size > 0) await Promise.all([...pending]);
    },

    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },

    addOrder,
    setStatus(orderId, statusId) {
      const order = orders.get(orderId);
      if (!order) throw new Error(`no simulated order ${orderId}`);
      order.statusId = statusId;
    },
    setApprovable(orderId, approvable) {
      const order = orders.get(orderId);
      if (!order) throw new Error(`no simulated order ${orderId}`);
      order.approvable = approvable;
    },
    getOrder: (orderId) => {
      const order = orders.get(orderId);
      return order && { ...order };
    },
    getOrdersByExternalId: (externalId) =>
      [...orders.values()]
        .filter((order) => order.externalId === externalId)
        .sort((a, b) => a.entryDate - b.entryDate)
        .map((order) => ({ ...order })),
    listOrders: () => [...orders.values()].map((order) => ({ ...order })),

    queueShopifyOrder(input) {
      const queued = queueEntry(input.shopifyOrderId);
      queued.orderName = input.orderName ?? queued.orderName;
      queued.channel = input.channel ?? queued.channel;
      queued.importAs = input.importAs ?? queued.importAs;
    },
    failImport(shopifyOrderId, errorText, failOptions = {}) {
      queueEntry(shopifyOrderId).failure = { errorText, shape: failOptions.shape ?? 'shopify' };
    },
    fixImport(shopifyOrderId) {
      const queued = queue.get(shopifyOrderId);
      if (queued) queued.failure = undefined;
    },
    queuedShopifyOrders: () => [...queue.values()].map((queued) => ({ ...queued })),

    setRefreshWorks(works) {
      refreshWorks = works;
    },
    setRefreshResult(statusId) {
      refreshResult = statusId;
    },

    setApprovalJobScheduled(scheduled) {
      approvalScheduled = scheduled;
      defineJobs();
    },
    setJobRunOutcome(systemJobEnumId, statusId) {
      outcomes.set(systemJobEnumId, statusId);
    },
    jobRuns: (systemJobEnumId) =>
      jobs
        .filter((job) => !isDefinition(job) && (!systemJobEnumId || job.systemJobEnumId === systemJobEnumId))
        .map((job) => ({ ...job })),
    mdmLogs: () => logs.map((log) => ({ ...log })),
    fileOf: (dataResourceId) => files.get(dataResourceId),

    failNext(count, faultOptions = {}) {
      addFault(count, { kind: 'status', status: faultOptions.status ?? 500, path: faultOptions.path });
    },
    timeoutNext(count, faultOptions = {}) {
      addFault(count, { kind: 'timeout', path: faultOptions.path });
    },
    errorIn200Next(count, message = 'Something went wrong in the simulated HotWax', faultOptions = {}) {
      addFault(count, { kind: 'error200', message, path: faultOptions.path });
    },
    htmlNext(count, faultOptions = {}) {
      addFault(count, { kind: 'html', path: faultOptions.path });
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    down(value) {
      isDown = value;
    },

    calls,
    callCount(endpoint, where) {
      const target = endpoint === undefined ? undefined : normalizeEndpoint(endpoint);
      if (!where) {
        if (target !== undefined) return counts.get(target) ?? 0;
        return [...counts.values()].reduce((sum, count) => sum + count, 0);
      }
      return calls.filter((call) => {
        if (target !== undefined && call.endpoint !== target) return false;
        if (typeof where === 'function') return where(call);
        return Object.entries(where).every(([key, value]) => call.query[key]?.[0] === value);
      }).length;
    },
    clearCalls() {
      calls.length = 0;
      counts.clear();
    },
  };
};
