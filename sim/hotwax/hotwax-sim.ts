import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMaargSim, type FailedFileFormat, type MaargSim, simFallbackJobName } from './maarg-sim.js';
import type { MoquiRow } from './moqui-find.js';
import {
  type FindRequest,
  FindRequestError,
  parseFindBody,
  parseFindRequest,
  performFind,
  type Row,
} from './perform-find.js';

export type {
  FailedFileFormat,
  SimDataManagerLog,
  SimJobParameter,
  SimServiceJob,
  SimServiceJobRun,
} from './maarg-sim.js';
export { realtimeConsumer, simFallbackJobName } from './maarg-sim.js';

/**
 * An in-process HotWax tenant speaking the wire format of hotwax-api.md on a free loopback port, in either shape:
 * - `backend: 'ofbiz'` (default): the OFBiz OMS under `/api/` — Bearer auth, `checkLoginOptions` naming its Maarg
 *   server (this same simulator), `performFind` / `findJobs` with `docs` + `count` or `{"error":"No record found"}`
 *   read the way OFBiz reads them (unknown `inputFields` keys such as `createdDate_from` are dropped, `_fldN_grp`
 *   OR groups), `scheduleService`, the Shopify Order MDM's logs and failed-record files, the configurable
 *   per-order services; Maarg answers beside it under `/rest/s1/`;
 * - `backend: 'maarg'`: a Maarg-only tenant (no `/api/`), see `maarg-sim.ts`.
 * Tests and the local sandbox script it (queue Shopify orders, make imports fail, inject faults) and read its call
 * log. It must not import vitest: the sandbox runs it at runtime.
 */

export type SimOrderStatus =
  | 'ORDER_CREATED'
  | 'ORDER_APPROVED'
  | 'ORDER_HOLD'
  | 'ORDER_COMPLETED'
  | 'ORDER_CANCELLED'
  | 'ORDER_REJECTED'
  | 'ORDER_EXPIRED'
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
  /** the tenant's shape, default `ofbiz` (an OFBiz OMS with Maarg beside it) */
  backend?: 'ofbiz' | 'maarg';
  /** login credentials accepted by `POST /api/login` and `/rest/s1/admin/login`, default `monitor` / `monitor-password` */
  username?: string;
  password?: string;
  /** a long-lived JWT accepted as Bearer, default `sim-api-token` */
  apiToken?: string;
  /** life of login tokens, default 1 hour */
  tokenTtlMs?: number;
  shopifyConfigId?: string;
  shopId?: string;
  productStoreId?: string;
  /** Shopify configs of the tenant's other shops (one tenant, several shops): their imports are accepted too */
  otherShopifyConfigIds?: string[];
  /** the tenant's other shops whose New Orders and approval jobs are scheduled too (one tenant, several shops) */
  otherShops?: Array<{ shopId: string; shopifyConfigId: string }>;
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
  /** the New Orders job has a recurring schedule (not only its draft), default true */
  newOrdersJobScheduled?: boolean;
  /**
   * OFBiz: a New Orders run scheduled without Job Manager's payload (top-level `frequency`, `jobFields`
   * `instanceOfProductId`) fails as HotWax's service validation would (real OFBiz requires `frequency`), default
   * true; false accepts any body
   */
  strictRunNow?: boolean;
  /** Maarg: the remote id of this shop's fallback sync clone, default `shopifyConfigId` */
  systemMessageRemoteId?: string;
  /** Maarg: other shops' fallback sync clones beside ours, default one (`OTHER_SHOP_CONFIG`) */
  otherShopRemoteIds?: string[];
  /** Maarg: this shop's fallback sync clone exists, default true */
  fallbackJobDefined?: boolean;
  /** Maarg: the realtime consumer consume_ShopifyOrders_SQS exists, default true */
  realtimeJobDefined?: boolean;
  /** Maarg: the product store's autoApproveOrder (`Y`, `N`, or '' for unset), default `Y` */
  autoApproveOrder?: string;
  /**
   * the import configs exist (OFBiz: the `orderMdmConfigId` DataManagerConfig; Maarg: the Data Manager configs
   * SYNC_SHOPIFY_ORDER and UPDATE_SHOPIFY_ORDER), default true
   */
  importConfigsDefined?: boolean;
  host?: string;
  port?: number;
  now?: () => number;
  /** calls kept in `calls` (oldest dropped first); `callCount` without a filter counts all, default 10 000 */
  maxCallLog?: number;
}

type Resolved = Required<Omit<HotwaxSimOptions, 'host' | 'port' | 'now' | 'maxCallLog'>>;

/** Who the failed record belongs to: invented, but data the monitor must never keep or repeat. */
export const simCustomer = {
  firstName: 'Jane',
  lastName: 'Customerova',
  email: 'jane.customerova@example.com',
  phone: '+1 555 0100',
  address1: '12 Orchard Lane',
} as const;

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
  /** Shopify's updatedAt (epoch ms): a Maarg fallback run imports orders updated since its fromDate */
  updatedAt: number;
  /** the shop the order belongs to: only that shop's import (its Shopify config) brings it */
  shopifyConfigId: string;
  failure?: { errorText: string; shape: FailedRecordShape; format: FailedFileFormat };
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
  /** a definition's custom parameters, as findJobs returns them */
  runtimeData?: Record<string, unknown>;
  runtimeDataId?: string;
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
  /**
   * only requests to this endpoint (`performFind`, `/api/login`, `service/x`, `admin/serviceJobs/x/runNow`); a
   * RegExp is tested against the endpoint (the path below `/api/` or `/rest/s1/`)
   */
  path?: string | RegExp;
  /** only requests with this method */
  method?: string;
}

type FaultKind =
  | { kind: 'status'; status: number }
  | { kind: 'timeout' }
  | { kind: 'error200'; message: string }
  | { kind: 'html' }
  | { kind: 'moqui'; status: number; errors: string | string[] }
  | { kind: 'reset' };
type Fault = FaultKind & { remaining: number; path?: string | RegExp; method?: string };

export interface HotwaxSim {
  url: string;
  /** the tenant's shape */
  readonly backend: 'ofbiz' | 'maarg';
  /** the resolved options (credentials, ids, service names) */
  readonly settings: Readonly<Resolved>;
  /** HOTWAX_* environment for a monitor pointed at this sim, with login credentials (default) or the API token */
  env(auth?: 'login' | 'token'): Record<string, string>;
  stop(): Promise<void>;
  /** forget all state, faults and calls; back to the options given at start */
  reset(): void;
  /** resolves once every delayed import, refresh and approval has happened */
  idle(): Promise<void>;
  /** does every delayed import, refresh and approval now, as if its delay had passed (benchmarks of slow imports) */
  finishWorkNow(): Promise<void>;

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
    /** Shopify's updatedAt, default now */
    updatedAt?: number;
    /** the shop's Shopify config, default this simulator's `shopifyConfigId`: other shops' imports do not bring it */
    shopifyConfigId?: string;
  }): void;
  failImport(
    shopifyOrderId: string,
    errorText: string,
    options?: { shape?: FailedRecordShape; format?: FailedFileFormat },
  ): void;
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
  /**
   * What HotWax's own schedule does between the monitor's looks: OFBiz a New Orders run, Maarg a run of the shop's
   * fallback sync (from its last run). Resolves once it imported the queued orders (or wrote their failures).
   */
  runScheduledImport(): Promise<void>;
  mdmLogs(): SimMdmLog[];
  /** OFBiz: an MDM log written at `createdDate` (older logs for paging tests), with no failed records */
  addMdmLog(input: { createdDate: number }): SimMdmLog;
  /** the failed-record file of a data resource, as served */
  fileOf(dataResourceId: string): string | undefined;

  /** Maarg: ServiceJobs, their runs, Data Manager logs and files, the product store setting */
  readonly maarg: MaargSim;

  failNext(count: number, options?: FaultOptions & { status?: number }): void;
  /** Maarg: the next requests answer `status` (default 400) with Moqui's `{"errorCode", "errors"}` */
  moquiErrorNext(
    count: number,
    options?: FaultOptions & { status?: number; errors?: string | string[] },
  ): void;
  /** the next requests lose their connection before any answer (a process gone mid-request looks the same) */
  resetNext(count: number, options?: FaultOptions): void;
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

const defaults: Omit<Resolved, 'systemMessageRemoteId'> & { systemMessageRemoteId: string } = {
  backend: 'ofbiz',
  username: 'monitor',
  password: 'monitor-password',
  apiToken: 'sim-api-token',
  tokenTtlMs: 3_600_000,
  shopifyConfigId: 'SHOPIFY_CONFIG_SIM',
  shopId: 'SIM_SHOP',
  productStoreId: 'STORE',
  otherShopifyConfigIds: [],
  otherShops: [],
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
  newOrdersJobScheduled: true,
  strictRunNow: true,
  systemMessageRemoteId: '',
  otherShopRemoteIds: ['OTHER_SHOP_CONFIG'],
  fallbackJobDefined: true,
  realtimeJobDefined: true,
  autoApproveOrder: 'Y',
  importConfigsDefined: true,
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

const orderHeaderFields = [
  'orderId',
  'externalId',
  'orderName',
  'statusId',
  'salesChannelEnumId',
  'orderDate',
  'entryDate',
  'productStoreId',
] as const;

const loginPage =
  '<!DOCTYPE html><html><head><title>HotWax Commerce: Login</title></head><body><form action="/commerce/control/login"></form></body></html>';

const maxUrlLength = 8_192;

const normalizeEndpoint = (path: string): string =>
  path
    .replace(/^\/+/, '')
    .replace(/^api\//, '')
    .replace(/^rest\/s1\//, '');

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
  if (!settings.systemMessageRemoteId) settings.systemMessageRemoteId = settings.shopifyConfigId;
  const now = options.now ?? Date.now;
  const knownConfig = (id: unknown) =>
    id === settings.shopifyConfigId ||
    settings.otherShopifyConfigIds.includes(String(id)) ||
    settings.otherShops.some((other) => other.shopifyConfigId === String(id));

  // --- state -------------------------------------------------------------------------------------------------
  let sequence = 0;
  let lastEntryDate = 0;
  const tokens = new Map<string, number>();
  const orders = new Map<string, SimOrder>();
  const queue = new Map<string, QueuedShopifyOrder>();
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
  /** the simulator's own base URL, known once it listens */
  let publicUrl = '';
  const counts = new Map<string, number>();
  const maxCallLog = options.maxCallLog ?? 10_000;
  const timers = new Map<NodeJS.Timeout, () => void>();
  const pending = new Set<Promise<void>>();
  /** the delayed work not done yet, to do at once on `finishWorkNow` */
  const due = new Set<() => void>();
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
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        work();
      } finally {
        timers.delete(timer);
        due.delete(run);
        settle();
      }
    };
    const timer = setTimeout(run, delayMs);
    timers.set(timer, settle);
    due.add(run);
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
    due.clear();
  };

  // Runs ("Run now") get RUN ids; everything else is a job definition (template or recurring schedule).
  const isDefinition = (job: SimJob) => !job.jobId.startsWith('RUN');

  const defineJobs = () => {
    jobs = jobs.filter((job) => !isDefinition(job));
    const definitions: SimJob[] = [];
    // Custom parameters: JOB_IMP_ORD's `frequency` is required (HotWax docs); a draft holds "null" placeholders.
    const runtimeData = (
      systemJobEnumId: keyof typeof jobKinds,
      scheduledJob: boolean,
    ): Record<string, unknown> =>
      systemJobEnumId === 'JOB_APR_ORD'
        ? {}
        : { shopifyConfigId: scheduledJob ? settings.shopifyConfigId : 'null', frequency: '15' };
    const draft = (systemJobEnumId: keyof typeof jobKinds): SimJob => ({
      jobId: jobKinds[systemJobEnumId].draftId,
      jobName: jobKinds[systemJobEnumId].jobName,
      serviceName: jobKinds[systemJobEnumId].serviceName,
      systemJobEnumId,
      statusId: 'SERVICE_DRAFT',
      runtimeDataId: `RD${jobKinds[systemJobEnumId].draftId}`,
      runtimeData: runtimeData(systemJobEnumId, false),
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
      runtimeDataId: `RD${jobId}`,
      runtimeData: runtimeData(systemJobEnumId, true),
    });
    if (settings.newOrdersJobDefined) {
      definitions.push(draft('JOB_IMP_ORD'));
      if (settings.newOrdersJobScheduled) definitions.push(scheduled('JOB_IMP_ORD', '10232'));
    }
    definitions.push(draft('JOB_IMP_MISS_ORD'), draft('JOB_APR_ORD'));
    if (approvalScheduled) definitions.push(scheduled('JOB_APR_ORD', '10302'));
    // The tenant's other shops have their own schedules of the same jobs.
    settings.otherShops.forEach((other, index) => {
      const ofShop = (job: SimJob): SimJob => ({
        ...job,
        jobId: `${job.jobId}${index + 1}`,
        runtimeDataId: `RD${job.jobId}${index + 1}`,
        shopId: other.shopId,
        ...(job.systemJobEnumId === 'JOB_APR_ORD'
          ? {}
          : { runtimeData: { ...job.runtimeData, shopifyConfigId: other.shopifyConfigId } }),
      });
      if (settings.newOrdersJobDefined && settings.newOrdersJobScheduled)
        definitions.push(ofShop(scheduled('JOB_IMP_ORD', '10232')));
      if (approvalScheduled) definitions.push(ofShop(scheduled('JOB_APR_ORD', '10302')));
    });
    jobs = [...definitions, ...jobs];
  };

  const initialState = () => {
    cancelWork();
    for (const res of hanging) res.destroy();
    hanging.clear();
    // Ids keep counting across resets: HotWax never reuses one, and clients cache files by data resource id.
    tokens.clear();
    orders.clear();
    queue.clear();
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
    maarg.reset();
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

  /** A Maarg failed record: the Shopify order as the sync read it (GraphQL ids) with HotWax's error. */
  const maargFailedRecord = (queued: QueuedShopifyOrder): Record<string, unknown> => ({
    id: `gid://shopify/Order/${queued.shopifyOrderId}`,
    name: queued.orderName,
    email: simCustomer.email,
    sourceName: queued.channel,
    customer: { firstName: simCustomer.firstName, lastName: simCustomer.lastName },
    shippingAddress: { address1: simCustomer.address1, city: 'Springfield', phone: simCustomer.phone },
    _ERROR_MESSAGE_: queued.failure?.errorText ?? '',
  });

  /**
   * A Maarg import: queued orders updated at or after `from` are created, or updated in place when HotWax has them
   * already (Maarg has no "old version"); failing ones stay queued and are reported.
   */
  /** a shop's import brings that shop's orders only (`undefined`: every shop's, e.g. all schedules ran) */
  const ofShop = (queued: QueuedShopifyOrder, shopifyConfigId: string | undefined) =>
    shopifyConfigId === undefined || queued.shopifyConfigId === shopifyConfigId;

  const importQueuedSince = (from: number, shopifyConfigId?: string) => {
    const result = {
      created: [] as string[],
      updated: [] as string[],
      failed: [] as {
        shopifyOrderId: string;
        existed: boolean;
        record: Record<string, unknown>;
        format: FailedFileFormat;
      }[],
    };
    for (const queued of [...queue.values()]) {
      if (queued.updatedAt < from || !ofShop(queued, shopifyConfigId)) continue;
      const existing = liveOrder(queued.shopifyOrderId);
      if (queued.failure) {
        result.failed.push({
          shopifyOrderId: queued.shopifyOrderId,
          existed: Boolean(existing),
          record: maargFailedRecord(queued),
          format: queued.failure.format,
        });
        continue;
      }
      queue.delete(queued.shopifyOrderId);
      if (existing) {
        existing.statusId = queued.importAs;
        result.updated.push(queued.shopifyOrderId);
      } else {
        addOrder({
          externalId: queued.shopifyOrderId,
          orderName: queued.orderName,
          statusId: queued.importAs,
          salesChannelEnumId: channels[queued.channel],
        });
        result.created.push(queued.shopifyOrderId);
      }
    }
    return result;
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
  const importQueued = (shopifyOrderIds?: readonly string[], shopifyConfigId?: string) => {
    const failures: QueuedShopifyOrder[] = [];
    for (const queued of [...queue.values()]) {
      if (shopifyOrderIds && !shopifyOrderIds.includes(queued.shopifyOrderId)) continue;
      if (!ofShop(queued, shopifyConfigId)) continue;
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
    forcedOutcome?: SimJobStatus,
  ) => {
    const given = Object.fromEntries(Object.entries(parameters).filter(([, value]) => value !== undefined));
    const run: SimJob = {
      jobId: `RUN${nextId()}`,
      jobName: definition.jobName,
      serviceName: definition.serviceName,
      systemJobEnumId: definition.systemJobEnumId,
      statusId: 'SERVICE_PENDING',
      runTime: now(),
      shopId: definition.shopId ?? settings.shopId,
      productStoreId: settings.productStoreId,
      parentJobId: definition.jobId,
      // A run given a tempExprId looks like a recurring schedule to Job Manager: keep it visible.
      ...(typeof given.tempExprId === 'string' ? { tempExprId: given.tempExprId } : {}),
      parameters: Object.fromEntries(Object.entries(given).filter(([key]) => key !== 'tempExprId')),
    };
    jobs.push(run);
    later(delayMs, () => {
      const outcome = forcedOutcome ?? outcomes.get(run.systemJobEnumId) ?? 'SERVICE_FINISHED';
      if (outcome === 'SERVICE_FINISHED') work();
      run.statusId = outcome;
    });
  };

  // --- HTTP --------------------------------------------------------------------------------------------------
  const send = (
    res: ServerResponse,
    call: { status?: number },
    status: number,
    body: unknown,
    type = 'application/json',
    headers: Record<string, string> = {},
  ) => {
    call.status = status;
    if (res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      'Content-Type': `${type}; charset=utf-8`,
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const issueToken = () => {
    const token = `sim.${randomBytes(16).toString('hex')}`;
    const expirationTime = now() + settings.tokenTtlMs;
    tokens.set(token, expirationTime);
    return { token, expirationTime };
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

  const takeFault = (endpoint: string, method: string): Fault | undefined => {
    const fault = faults.find(
      (candidate) =>
        (!candidate.method || candidate.method.toUpperCase() === method) &&
        (!candidate.path ||
          (typeof candidate.path === 'string'
            ? normalizeEndpoint(candidate.path) === endpoint
            : candidate.path.test(endpoint))),
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

  const find = (
    res: ServerResponse,
    call: SimCall,
    request: FindRequest,
    entity: { rows: () => Row[]; fields: readonly string[] },
  ) => {
    const result = performFind(entity.rows(), request, entity.fields);
    if (result.docs.length === 0) return ok(res, call, { error: 'No record found' });
    return ok(res, call, result);
  };

  const orderRows = () =>
    [...orders.values()].map(
      ({ approvable: _approvable, ...order }) =>
        ({ ...order, productStoreId: settings.productStoreId }) as unknown as Row,
    );

  // Each entity's fields: OFBiz drops a condition on anything else.
  const entities: Record<string, { rows: () => Row[]; fields: readonly string[] }> = {
    OrderHeader: {
      rows: orderRows,
      fields: [...orderHeaderFields],
    },
    DataManagerLogAndContent: {
      rows: () => logs.map((log) => ({ ...log }) as unknown as Row),
      fields: [
        'logId',
        'configId',
        'statusId',
        'createdDate',
        'startDateTime',
        'finishDateTime',
        'logFileContentId',
        'errorRecordContentId',
        'contentName',
        'dataResourceId',
      ],
    },
    // Job Manager's OFBiz views read a config by `performFind` on DataManagerConfig (fetchDataManagerConfig).
    DataManagerConfig: {
      rows: () =>
        settings.importConfigsDefined
          ? [
              {
                configId: settings.orderMdmConfigId,
                description: 'Create Shopify orders',
                importServiceName: 'createShopifyOrder',
                multiThreading: 'N',
                executionModeId: 'DMC_QUEUE',
              },
            ]
          : [],
      fields: [
        'configId',
        'description',
        'importServiceName',
        'importPath',
        'multiThreading',
        'executionModeId',
      ],
    },
    DataResourceContentView: {
      rows: () =>
        [...contents.entries()].map(([coContentId, coDataResourceId]) => ({
          coContentId,
          coDataResourceId,
          coContentTypeId: 'DOCUMENT',
          drDataResourceName: `${coDataResourceId}.json`,
        })),
      fields: ['coContentId', 'coDataResourceId', 'coContentTypeId', 'coContentName', 'drDataResourceName'],
    },
  };
  const jobSandbox = {
    rows: () => jobs as unknown as Row[],
    fields: [
      'jobId',
      'jobName',
      'serviceName',
      'systemJobEnumId',
      'statusId',
      'runTime',
      'tempExprId',
      'shopId',
      'productStoreId',
      'parentJobId',
      'runtimeDataId',
      'runtimeData',
      'finishDateTime',
      'startDateTime',
    ],
  };

  const scheduleService = (res: ServerResponse, call: SimCall, body: Record<string, unknown>) => {
    const systemJobEnumId = String(body.systemJobEnumId ?? '');
    const jobFields = isRecord(body.jobFields) ? body.jobFields : {};
    const parentJobId = jobFields.parentJobId === undefined ? undefined : String(jobFields.parentJobId);
    // Run now of a schedule names its draft as parent; run now of the draft itself has no parent.
    const parent =
      parentJobId !== undefined
        ? jobs.find((job) => isDefinition(job) && job.jobId === parentJobId)
        : jobs.find(
            (job) =>
              job.statusId === 'SERVICE_DRAFT' &&
              job.systemJobEnumId === systemJobEnumId &&
              job.serviceName === body.SERVICE_NAME,
          );
    if (!body.JOB_NAME || !body.SERVICE_NAME || body.statusId !== 'SERVICE_PENDING' || !systemJobEnumId) {
      return hotwaxError(res, call, 'JOB_NAME, SERVICE_NAME, statusId and systemJobEnumId are required');
    }
    if (!parent || parent.systemJobEnumId !== systemJobEnumId) {
      return hotwaxError(res, call, `Job [${parentJobId ?? ''}] not found for ${systemJobEnumId}`);
    }
    if (body.SERVICE_NAME !== parent.serviceName) {
      return hotwaxError(
        res,
        call,
        `Service [${String(body.SERVICE_NAME)}] does not match job ${parent.jobId}`,
      );
    }
    if (systemJobEnumId === 'JOB_IMP_ORD') {
      if (!knownConfig(body.shopifyConfigId)) {
        return hotwaxError(res, call, `ShopifyConfig [${String(body.shopifyConfigId)}] not found`);
      }
      // The service validates its parameters when the run starts: without `frequency` the run fails.
      const valid =
        !settings.strictRunNow ||
        (typeof body.frequency === 'string' &&
          body.frequency !== '' &&
          jobFields.instanceOfProductId === systemJobEnumId);
      startRun(
        parent,
        { frequency: body.frequency, tempExprId: jobFields.tempExprId },
        settings.importDelayMs,
        () => importQueued(undefined, String(body.shopifyConfigId)),
        valid ? undefined : 'SERVICE_FAILED',
      );
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
      if (!knownConfig(body.shopifyConfigId)) {
        return hotwaxError(res, call, `ShopifyConfig [${String(body.shopifyConfigId)}] not found`);
      }
      if (!queue.has(shopifyOrderId) && !liveOrder(shopifyOrderId)) {
        return hotwaxError(res, call, `Order [${shopifyOrderId}] not found in Shopify`);
      }
      if (queue.has(shopifyOrderId))
        later(settings.importDelayMs, () => importQueued([shopifyOrderId], String(body.shopifyConfigId)));
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
    if (endpoint === 'checkLoginOptions' && method === 'GET') {
      // An OFBiz OMS names its Maarg server; this simulator is both.
      return ok(res, call, { loginAuthType: 'BASIC', loginAuthUrl: '', maargInstanceUrl: publicUrl });
    }
    if (endpoint === 'login' && method === 'POST') {
      const body = parseJson(text);
      if (body?.USERNAME !== settings.username || body?.PASSWORD !== settings.password) {
        return hotwaxError(res, call, 'The password was not correct, please re-enter.');
      }
      return ok(res, call, issueToken());
    }
    if (!authorized(req)) return send(res, call, 401, { error: 'Unauthorized' });

    const get = method === 'GET';
    // performFind answers a GET with its query string or a POST with the same fields as a JSON body.
    if (endpoint === 'performFind' && (get || method === 'POST')) {
      const body = get ? undefined : parseJson(text);
      if (!get && !body)
        return send(res, call, 400, { _ERROR_MESSAGE_: 'The request body must be a JSON object' });
      const request = body ? parseFindBody(body) : parseFindRequest(url.searchParams);
      const entity = entities[request.entityName ?? ''];
      if (!entity) return hotwaxError(res, call, `Entity [${request.entityName}] not found`);
      return find(res, call, request, entity);
    }
    if (endpoint === 'findJobs' && get)
      return find(res, call, parseFindRequest(url.searchParams), jobSandbox);
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
    // The load balancer in front of HotWax refuses request lines past 8 KB, as nginx and ELB do.
    if ((req.url ?? '').length > maxUrlLength)
      return send(res, call, 414, '<html><body>414 Request-URI Too Large</body></html>', 'text/html');

    if (isDown) {
      return send(
        res,
        call,
        503,
        '<html><body>503 Service Temporarily Unavailable</body></html>',
        'text/html',
      );
    }
    const fault = takeFault(call.endpoint, call.method);
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
    if (fault?.kind === 'moqui')
      return send(res, call, fault.status, { errorCode: fault.status, errors: fault.errors });
    if (fault?.kind === 'reset') {
      res.destroy();
      return;
    }
    if (url.pathname.startsWith('/rest/s1/')) return maarg.route(req, res, call, endpoint, url, text);
    // A Maarg-only tenant has no /api/ at all.
    if (!url.pathname.startsWith('/api/') || settings.backend === 'maarg')
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
  publicUrl = url;

  const maarg: MaargSim = createMaargSim({
    settings,
    now,
    nextId,
    later,
    issueToken,
    authorized,
    send,
    orderRows: () => orderRows() as MoquiRow[],
    importQueuedSince,
  });

  initialState();

  const queueEntry = (shopifyOrderId: string): QueuedShopifyOrder => {
    let queued = queue.get(shopifyOrderId);
    if (!queued) {
      queued = {
        shopifyOrderId,
        orderName: `#${1000 + nextId()}`,
        channel: 'web',
        importAs: 'ORDER_CREATED',
        updatedAt: now(),
        shopifyConfigId: settings.shopifyConfigId,
      };
      queue.set(shopifyOrderId, queued);
    }
    return queued;
  };

  const addFault = (
    count: number,
    fault: FaultKind & { path?: string | RegExp; method?: string | undefined },
  ) => {
    if (count > 0) faults.push({ ...fault, remaining: count });
  };

  return {
    url,
    backend: settings.backend,
    settings,
    maarg,
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
    async finishWorkNow() {
      while (due.size > 0) for (const run of [...due]) run();
      while (pending.size > 0) await Promise.all([...pending]);
    },

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
      queued.updatedAt = input.updatedAt ?? queued.updatedAt;
      queued.shopifyConfigId = input.shopifyConfigId ?? queued.shopifyConfigId;
    },
    failImport(shopifyOrderId, errorText, failOptions = {}) {
      queueEntry(shopifyOrderId).failure = {
        errorText,
        shape: failOptions.shape ?? 'shopify',
        format: failOptions.format ?? 'json',
      };
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
    async runScheduledImport() {
      if (settings.backend === 'maarg') {
        maarg.runScheduled(simFallbackJobName);
      } else {
        const [schedule] = jobs
          .filter((job) => isDefinition(job) && job.systemJobEnumId === 'JOB_IMP_ORD')
          .sort(
            (a, b) => Number(b.statusId === 'SERVICE_PENDING') - Number(a.statusId === 'SERVICE_PENDING'),
          );
        if (!schedule)
          throw new Error('the simulated tenant has no New Orders job (newOrdersJobDefined: false)');
        startRun(schedule, { frequency: '15' }, settings.importDelayMs, () => importQueued());
      }
      while (pending.size > 0) await Promise.all([...pending]);
    },
    jobRuns: (systemJobEnumId) =>
      jobs
        .filter((job) => !isDefinition(job) && (!systemJobEnumId || job.systemJobEnumId === systemJobEnumId))
        .map((job) => ({ ...job })),
    mdmLogs: () => logs.map((log) => ({ ...log })),
    addMdmLog({ createdDate }) {
      const id = nextId();
      const log: SimMdmLog = {
        logId: `${10000 + id}`,
        configId: settings.orderMdmConfigId,
        statusId: 'SERVICE_FINISHED',
        createdDate,
        startDateTime: createdDate,
        finishDateTime: createdDate,
        logFileContentId: `LOG${id}`,
      };
      logs.push(log);
      return { ...log };
    },
    fileOf: (dataResourceId) => files.get(dataResourceId),

    failNext(count, faultOptions = {}) {
      addFault(count, {
        kind: 'status',
        status: faultOptions.status ?? 500,
        path: faultOptions.path,
        method: faultOptions.method,
      });
    },
    timeoutNext(count, faultOptions = {}) {
      addFault(count, { kind: 'timeout', path: faultOptions.path, method: faultOptions.method });
    },
    errorIn200Next(count, message = 'Something went wrong in the simulated HotWax', faultOptions = {}) {
      addFault(count, { kind: 'error200', message, path: faultOptions.path, method: faultOptions.method });
    },
    htmlNext(count, faultOptions = {}) {
      addFault(count, { kind: 'html', path: faultOptions.path, method: faultOptions.method });
    },
    moquiErrorNext(count, faultOptions = {}) {
      addFault(count, {
        kind: 'moqui',
        status: faultOptions.status ?? 400,
        errors: faultOptions.errors ?? 'Simulated Moqui error',
        path: faultOptions.path,
        method: faultOptions.method,
      });
    },
    resetNext(count, faultOptions = {}) {
      addFault(count, { kind: 'reset', path: faultOptions.path, method: faultOptions.method });
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
