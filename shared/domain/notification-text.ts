import type { Notification } from './ports.js';
import {
  ambiguousOrdersSteps,
  approvalTroubleshooting,
  compareBothSides,
  contactSupport,
  fixDataInShopify,
  newOrdersJobSteps,
  quarantinedPayloadSteps,
  refreshOrderSteps,
} from './runbook/words.js';

/**
 * What a person reads, before any rendering: labels, durations, the runbook's fix for a situation, and the PII
 * scrubbing every free text goes through. The Slack adapter turns it into Block Kit.
 */

/** The CloudWatch alarm state change that SNS delivers as `Sns.Message`. */
export interface CloudWatchAlarm {
  AlarmName: string;
  NewStateValue: string;
  NewStateReason?: string;
  AlarmDescription?: string | null;
  OldStateValue?: string;
  StateChangeTime?: string;
  AlarmArn?: string;
}

export interface DigestOptions {
  now: number;
  /** Orders of the same window already posted one by one before the storm rule kicked in. */
  postedIndividually?: number;
  /** Start of the storm window (epoch ms), shown to the reader. */
  windowStart?: number;
  /** How many orders to list by name; the rest are only counted. Default 20. */
  listLimit?: number;
  /** A follow-up to an earlier digest (incoming webhooks cannot edit a message). */
  followUp?: boolean;
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

export const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

/** "less than a minute", "42 min", "3 h 12 min", "2 days 4 h". */
export const humanDuration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < minute) return 'less than a minute';
  if (ms < hour) return `${Math.floor(ms / minute)} min`;
  if (ms < day) {
    const hours = Math.floor(ms / hour);
    const minutes = Math.floor((ms % hour) / minute);
    return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
  }
  const days = Math.floor(ms / day);
  const hours = Math.floor((ms % day) / hour);
  return hours === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${hours} h`;
};

/** "2026-05-04 15:00 UTC" */
export const utc = (epochMs: number): string =>
  `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

// At most one section of 3000 characters is ever shown; scrubbing four times that cannot split a shown address.
const scrubbedLength = 12_000;
// Keys whose values are personal data when a raw error quotes the failed record's JSON.
const personalKeys =
  'e-?mail|contact_?email|phone|contact_?number|mobile|first_?name|last_?name|full_?name|name|company|address[12]?|street|city|zip|postal_?code';
const personalJsonValue = new RegExp(
  `((?<![\\w-])["']?(?:${personalKeys})["']?\\s*[:=]\\s*)("(?:[^"\\\\]|\\\\.)*"|'[^']*')`,
  'gi',
);
// The lookbehind starts a match only at the start of a word, keeping long inputs linear.
const email = /(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+/g;
// International numbers, or grouped local ones such as (555) 123-4567; bare digit runs are left alone because
// Shopify and HotWax ids are exactly that.
const phone =
  /(?:\+\d[\d\s().-]{6,18}\d)|(?:\(\d{2,4}\)\s?\d{3,4}[\s.-]?\d{3,4})|(?:\b\d{3}[\s.-]\d{3,4}[\s.-]\d{4}\b)/g;

/** Replaces e-mail addresses, phone numbers and personal JSON fields with placeholders. */
export const scrubPii = (text: string): string =>
  text
    .slice(0, scrubbedLength)
    .replace(personalJsonValue, (_match, key: string) => `${key}"[redacted]"`)
    .replace(email, '[email]')
    .replace(phone, '[phone]');

const channelLabels: Record<string, string> = {
  pos: 'POS',
  web: 'Online store',
  other: 'Other (app or draft)',
};

export const channelLabel = (channel: string): string => channelLabels[channel] ?? channel;

/** The runbook's steps for the order's situation, used when the checker did not send its own fix. */
export const runbookFix = (notification: Notification): string => {
  const order = notification.order;
  if (notification.kind === 'escalated' || order?.state === 'escalated') return contactSupport;
  if (notification.kind === 'quarantined') return quarantinedPayloadSteps;
  switch (order?.state) {
    case 'blocked_on_data':
      return fixDataInShopify;
    case 'awaiting_approval':
      return approvalTroubleshooting;
    case 'stuck_created':
    case 'refresh_requested':
      return order.channel === 'pos' ? refreshOrderSteps() : approvalTroubleshooting;
    case 'reimport_requested':
      return newOrdersJobSteps;
    case 'ambiguous':
      return ambiguousOrdersSteps([]);
    default:
      return compareBothSides;
  }
};

/** How long the order has been (or, once resolved, was) out of sync. */
export const outOfSyncFor = (notification: Notification, now: number): number | undefined => {
  const since = notification.order?.outOfSyncSince;
  if (since === undefined) return undefined;
  return (notification.kind === 'resolved' ? notification.at : now) - since;
};

/** Counts by cause, largest first; the cause is what a person fixes, so it is the useful grouping. */
export const countByCause = (
  notifications: readonly Notification[],
): Array<[cause: string, count: number]> => {
  const counts = new Map<string, number>();
  for (const notification of notifications) {
    const cause = notification.explanation ?? notification.title;
    counts.set(cause, (counts.get(cause) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
};
