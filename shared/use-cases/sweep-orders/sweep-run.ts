import type {
  CheckQueue,
  Clock,
  DeadLetterQueue,
  HotwaxPort,
  ImportFlowHealth,
  Notification,
  Notifier,
  OrderRepository,
  ShopifyPort,
  SweepCheckpoints,
  Telemetry,
} from '../../domain/ports.js';
import type { SweepSettings } from '../../domain/sweep-window.js';

export type { SweepSettings };

export interface SweepOrdersDeps {
  /** this shop's Admin API */
  shopify: Pick<
    ShopifyPort,
    'listOrderSummariesUpdated' | 'getOrders' | 'listWebhookSubscriptions' | 'createWebhookSubscription'
  >;
  /** this shop's HotWax: the import flows it watches, and the repairs a crash left half done */
  hotwax: Pick<HotwaxPort, 'importFlowHealth' | 'recoverInterruptedRepairs'>;
  store: Pick<OrderRepository, 'get' | 'getMany' | 'save' | 'listOverdue'>;
  checkpoints: SweepCheckpoints;
  queue: CheckQueue;
  notifier: Notifier;
  telemetry: Telemetry;
  clock: Clock;
  settings: SweepSettings;
  /** called after every page (the CLI's progress bar) */
  onProgress?: (progress: SweepProgressEvent) => void;
  /** the DLQs to probe in quiet times (one message back each), so their redrive does not wait for traffic */
  deadLetters?: ReadonlyArray<{ queue: string; deadLetters: DeadLetterQueue }>;
}

export interface SweepProgressEvent {
  windowIndex: number;
  windowCount: number;
  /** ms of `updated_at` covered so far, of `totalMs` planned */
  coveredMs: number;
  totalMs: number;
  pages: number;
  ordersSeen: number;
  webhooksMissed: number;
  expectationsApplied: number;
}

export interface SweptOrder {
  orderId: string;
  orderName: string;
}

export interface SweepSummary {
  shop: string;
  /** the `updated_at` range this run set out to sweep; null when there was nothing to sweep */
  window: { from: number; to: number } | null;
  /** windows swept to their end */
  windows: number;
  pages: number;
  ordersSeen: number;
  /** orders with no record: no webhook ever arrived */
  webhooksMissed: number;
  /** orders fulfilled in Shopify whose orders/fulfilled webhook never arrived */
  expectationsApplied: number;
  overdueRecovered: number;
  /** dead-lettered messages moved back as probes of their dependency */
  deadLettersProbed: number;
  /** Admin API cost points of the order pages */
  queryCost: number;
  subscriptions: { checked: boolean; missing: string[]; restored: string[] };
  /** HotWax's import flows as the sweep found them (empty when HotWax did not answer), and the job parameter
   *  swaps of crashed re-imports it restored */
  hotwax: { flows: ImportFlowHealth[]; repairsRecovered: number };
  /** false when the run stopped early (deadline, lease held elsewhere); the next run continues */
  completed: boolean;
  /** why nothing was done */
  skipped?: string;
  /** the first orders found without webhooks, for people (at most 50 of each) */
  missed: SweptOrder[];
  fulfilledWithoutWebhook: SweptOrder[];
}

/** One run of the sweep: what every stage reads, and the summary they fill in. */
export interface SweepRun {
  deps: SweepOrdersDeps;
  owner: string;
  now: number;
  deadline: number;
  /** true once the run must stop starting work: its lease passed to another run, or the process is stopping */
  stopping(): boolean;
  summary: SweepSummary;
  /** hands one notification to the notifier; a failure is logged, the sweep's work stands */
  notify(notification: Notification): Promise<void>;
}

export const emptySummary = (shop: string): SweepSummary => ({
  shop,
  window: null,
  windows: 0,
  pages: 0,
  ordersSeen: 0,
  webhooksMissed: 0,
  expectationsApplied: 0,
  overdueRecovered: 0,
  deadLettersProbed: 0,
  queryCost: 0,
  subscriptions: { checked: false, missing: [], restored: [] },
  hotwax: { flows: [], repairsRecovered: 0 },
  completed: false,
  missed: [],
  fulfilledWithoutWebhook: [],
});

/** Conflicting writes (a webhook, the checker) retried before the order is left to the next sweep. */
export const maxSaveAttempts = 4;
export const writeConcurrency = 8;

export const iso = (ms: number) => new Date(ms).toISOString();
