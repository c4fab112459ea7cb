import type { SlackMessage } from './notification-messages.js';
import type { Notification } from './ports.js';

/** Where Slack messages go: the Web API, an incoming webhook, or the console when Slack is not configured. */
export interface SlackSender {
  readonly kind: 'web-api' | 'webhook' | 'console';
  /** Replies can go into a thread (Web API only: incoming webhooks return no message ts). */
  readonly supportsThreads: boolean;
  /** An earlier message can be edited (Web API `chat.update`). */
  readonly supportsUpdate: boolean;
  /** Posts a message; resolves with its ts when the transport returns one. Throws SlackUnavailableError. */
  post(message: SlackMessage, options?: { threadTs?: string; broadcast?: boolean }): Promise<{ ts?: string }>;
  /** Replaces an earlier message (only when `supportsUpdate`). Throws SlackUnavailableError. */
  update(ts: string, message: SlackMessage): Promise<void>;
}

/** What the notifier remembers about the messages it posted for one order. */
export interface SlackThread {
  /** ts of the order's first message: replies go under it. Absent when posted through an incoming webhook. */
  ts?: string;
  /** Keys of the notifications already posted for this order, so an SQS redelivery posts nothing twice. */
  postedKeys: ReadonlySet<string>;
}

/** A storm window's digest: the orders in it and what has been posted about them. */
export interface DigestWindow {
  entries: Notification[];
  /** ts of the posted digest (Web API); absent before it is posted or with an incoming webhook. */
  ts?: string;
  /** How many entries the last posted (or updated) digest showed; absent while nothing is posted. */
  postedCount?: number;
  /** How many orders of the window got a message of their own. */
  individualCount: number;
}

export interface WindowKey {
  shop: string;
  /** epoch ms of the window's start */
  windowStart: number;
}

/** Slack message bookkeeping in DynamoDB: threads per order, and the storm window counters. */
export interface SlackThreadStore {
  getThread(shop: string, orderId: string): Promise<SlackThread | undefined>;
  /** Records that `postedKey` was posted for the order; keeps the first ts as the thread root. */
  recordPost(
    shop: string,
    orderId: string,
    post: { postedKey: string; ts?: string },
    now: number,
  ): Promise<void>;
  /**
   * Atomically takes one of `limit` individual-message slots of the window for the order. True when the order
   * holds a slot (also when it already held one: redeliveries keep their slot).
   */
  claimWindowSlot(window: WindowKey, orderId: string, limit: number, now: number): Promise<boolean>;
  /** Adds orders to the window's digest (idempotent per order) and returns the window as it is now. */
  addToDigest(window: WindowKey, entries: readonly Notification[], now: number): Promise<DigestWindow>;
  readDigest(window: WindowKey): Promise<DigestWindow>;
  /** Takes the right to post the window's first digest; false while someone else holds a fresh claim or it is posted. */
  claimDigestPost(window: WindowKey, claimId: string, now: number, staleAfterMs: number): Promise<boolean>;
  releaseDigestClaim(window: WindowKey, claimId: string): Promise<void>;
  /** Records the posted digest (and its ts) and releases the claim. */
  markDigestPosted(window: WindowKey, post: { claimId: string; ts?: string; count: number }): Promise<void>;
  /**
   * Moves the window's posted count from `from` to `to`; false when another invocation moved it first, so only one
   * of them posts the corresponding update or follow-up.
   */
  advanceDigestCount(window: WindowKey, from: number, to: number): Promise<boolean>;
}

/**
 * Why Slack did not take a message: `rate_limited` (HTTP 429), `server_error` (5xx or Slack's internal errors),
 * `unreachable` (network failure, timeout) — all transient — or, permanent, `rejected` (bad token, unknown channel
 * or webhook: a person must fix the configuration) and `invalid_message` (this one message was refused).
 */
export type SlackFailureReason =
  | 'rate_limited'
  | 'server_error'
  | 'unreachable'
  | 'rejected'
  | 'invalid_message';

/** Slack could not take the message; `transient` failures succeed on a later delivery of the queue record. */
export class SlackUnavailableError extends Error {
  override name = 'SlackUnavailableError';
  readonly reason: SlackFailureReason;
  readonly transient: boolean;
  /** Seconds Slack asked us to wait (HTTP 429 Retry-After). */
  readonly retryAfter?: number;
  readonly status?: number;
  /** Slack's error code, such as `invalid_auth` or `channel_not_found`. */
  readonly slackError?: string;

  constructor(
    message: string,
    details: {
      reason: SlackFailureReason;
      retryAfter?: number;
      status?: number;
      slackError?: string;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.reason = details.reason;
    this.transient = details.reason !== 'rejected' && details.reason !== 'invalid_message';
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
    if (details.status !== undefined) this.status = details.status;
    if (details.slackError !== undefined) this.slackError = details.slackError;
  }
}
