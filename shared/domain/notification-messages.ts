import type { Notification } from './ports.js';

/**
 * What a person reads in Slack. Pure: a Notification (or a CloudWatch alarm) in, Block Kit blocks and the fallback
 * text out. The Notification carries no customer data; every free text is still scrubbed of e-mail- and phone-like
 * strings because raw HotWax errors quote the failed record verbatim.
 */

export type SlackText =
  | { type: 'mrkdwn'; text: string }
  | { type: 'plain_text'; text: string; emoji?: boolean };

/** The Block Kit subset the monitor uses; structurally a `KnownBlock` of `@slack/types`. */
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'section'; text: SlackText; fields?: SlackText[] }
  | { type: 'section'; fields: SlackText[]; text?: SlackText }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** Fallback for notifications, screen readers and clients without Block Kit. */
  text: string;
  blocks: SlackBlock[];
}

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

// Slack's documented limits: header 150 chars, section text 3000, field 2000.
const headerLimit = 150;
const sectionLimit = 3000;
const rawErrorLimit = 2000;

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

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

const utc = (epochMs: number): string =>
  `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

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
  // At most one section (3000 chars) of it is ever shown; cutting at four times that cannot split a shown address.
  text
    .slice(0, 4 * sectionLimit)
    .replace(personalJsonValue, (_match, key: string) => `${key}"[redacted]"`)
    .replace(email, '[email]')
    .replace(phone, '[phone]');

/** Slack mrkdwn treats &, < and > as control characters. */
export const escapeMrkdwn = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const link = (url: string, label: string) => `<${url}|${escapeMrkdwn(label)}>`;

const truncate = (text: string, limit: number) =>
  text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;

const safe = (text: string) => escapeMrkdwn(scrubPii(text));

const header = (text: string): SlackBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: truncate(text, headerLimit), emoji: true },
});
const section = (text: string): SlackBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, sectionLimit) },
});
const context = (text: string): SlackBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const codeBlock = (text: string) => `\`\`\`${truncate(text.replaceAll('```', "'''"), rawErrorLimit)}\`\`\``;

const channelLabels: Record<string, string> = {
  pos: 'POS',
  web: 'Online store',
  other: 'Other (app or draft)',
};

const stateLabels: Record<string, string> = {
  pending_check: 'Waiting for its first check',
  in_sync: 'In sync',
  missing: 'Not in HotWax',
  reimport_requested: 'Re-import requested',
  blocked_on_data: 'Blocked on data in Shopify',
  stuck_created: 'Stuck in Created',
  refresh_requested: 'Refresh requested',
  awaiting_approval: 'Awaiting approval',
  escalated: 'Escalated to HotWax support',
  ignored: 'Ignored',
};

export const stateLabel = (state: string): string => stateLabels[state] ?? state;

/** The runbook's steps for the order's situation, used when the checker did not send its own fix. */
export const runbookFix = (notification: Notification): string => {
  const order = notification.order;
  if (notification.kind === 'escalated' || order?.state === 'escalated') {
    return 'Contact HotWax support and attach the support bundle below (timeline, error text, job and log ids). The monitor has stopped repairing this order.';
  }
  if (notification.kind === 'quarantined') {
    return 'The raw payload is kept in the quarantine bucket. Check the order in Shopify admin; the reconciliation sweep picks it up, or re-send the webhook from Shopify.';
  }
  switch (order?.state) {
    case 'blocked_on_data':
      return 'Fix the data in Shopify (the cause above names what is missing). Nothing to do in HotWax: the monitor sees the change, re-imports the order and checks that it landed.';
    case 'awaiting_approval':
      return [
        'Follow the Order Approval troubleshooting:',
        '1. In Shopify, check the payment status: orders are approved only once paid or authorized.',
        '2. In HotWax Job Manager, check that the Approve Orders job is scheduled and that its recent runs succeeded.',
        '3. Release any hold on the order, then run the approval job. The monitor re-checks and reports when it leaves Created.',
      ].join('\n');
    case 'stuck_created':
    case 'refresh_requested':
      if (order.channel === 'pos') {
        return 'In HotWax open View Sales Order › Refresh order, then verify the new version is Completed and the old one Cancelled (tagged "old version").';
      }
      return 'Follow the Order Approval troubleshooting: check the payment status in Shopify and that the Approve Orders job runs in HotWax.';
    case 'missing':
    case 'reimport_requested':
      return 'Run the New Orders job in HotWax Job Manager. If the order still does not arrive, read EXIM › Shopify Jobs › MDM › Shopify Order MDM logs for a failed record with this Shopify order id.';
    default:
      return 'Compare the order in Shopify and HotWax; the monitor keeps re-checking it.';
  }
};

const kindHeaders: Record<Notification['kind'], string> = {
  needs_human: ':warning:',
  escalated: ':sos:',
  resolved: ':white_check_mark:',
  quarantined: ':package:',
  alarm: ':rotating_light:',
};

/** How long the order has been (or, once resolved, was) out of sync. */
const outOfSyncFor = (notification: Notification, now: number): number | undefined => {
  const since = notification.order?.outOfSyncSince;
  if (since === undefined) return undefined;
  return (notification.kind === 'resolved' ? notification.at : now) - since;
};

const orderLinks = (order: NonNullable<Notification['order']>) =>
  [
    link(order.shopifyUrl, 'Open in Shopify admin'),
    order.hotwaxUrl ? link(order.hotwaxUrl, 'Open in HotWax') : '',
  ]
    .filter(Boolean)
    .join('  ·  ');

/**
 * One order's message: order, channel, state, how long it has been out of sync, the cause in plain words, the exact
 * fix, links to Shopify admin and HotWax, and the raw error last (scrubbed).
 */
export const buildNotificationMessage = (notification: Notification, now: number): SlackMessage => {
  const { order } = notification;
  const title = scrubPii(notification.title);
  const blocks: SlackBlock[] = [header(`${kindHeaders[notification.kind]} ${title}`)];
  const duration = outOfSyncFor(notification, now);
  const fallback: string[] = [title];

  if (order) {
    const durationText =
      duration === undefined ? '' : `${humanDuration(duration)} (since ${utc(order.outOfSyncSince)})`;
    blocks.push({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Order*\n${link(order.shopifyUrl, order.orderName)}` },
        { type: 'mrkdwn', text: `*Channel*\n${channelLabels[order.channel] ?? order.channel}` },
        { type: 'mrkdwn', text: `*State*\n${escapeMrkdwn(stateLabel(order.state))}` },
        {
          type: 'mrkdwn',
          text: `*${notification.kind === 'resolved' ? 'Was out of sync for' : 'Out of sync for'}*\n${durationText}`,
        },
      ],
    });
    fallback.push(
      `${order.orderName} (${channelLabels[order.channel] ?? order.channel}, ${stateLabel(order.state)})` +
        (duration === undefined
          ? ''
          : `, ${notification.kind === 'resolved' ? 'was ' : ''}out of sync ${humanDuration(duration)}`),
    );
  }
  if (notification.cause) {
    blocks.push(section(`*Cause*\n${safe(notification.cause)}`));
    fallback.push(scrubPii(notification.cause));
  }
  if (notification.kind !== 'resolved' && notification.kind !== 'alarm') {
    const fix = notification.fix ?? runbookFix(notification);
    blocks.push(section(`*Fix*\n${safe(fix)}`));
    fallback.push(`Fix: ${scrubPii(fix)}`);
  } else if (notification.fix) {
    blocks.push(section(safe(notification.fix)));
  }
  if (notification.rawError) {
    blocks.push(section(`*Raw error from HotWax*\n${codeBlock(scrubPii(notification.rawError))}`));
  }
  if (notification.bundle) {
    blocks.push(
      section(`*Support bundle*\n${codeBlock(scrubPii(JSON.stringify(notification.bundle, null, 1)))}`),
    );
  }
  if (order) blocks.push(section(orderLinks(order)));
  blocks.push(context(`${escapeMrkdwn(notification.shop)}  ·  ${utc(notification.at)}`));
  return { text: truncate(fallback.join(' — '), sectionLimit), blocks };
};

/** Counts by cause, largest first; the cause is what a person fixes, so it is the useful grouping. */
export const countByCause = (
  notifications: readonly Notification[],
): Array<[cause: string, count: number]> => {
  const counts = new Map<string, number>();
  for (const notification of notifications) {
    const cause = notification.cause ?? notification.title;
    counts.set(cause, (counts.get(cause) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
};

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

/**
 * Many orders at once → one message: counts by cause, then the orders out of sync the longest, with links.
 * Names beyond `listLimit` are only counted so the message stays readable and within Slack's limits.
 */
export const buildDigestMessage = (
  notifications: readonly Notification[],
  options: DigestOptions,
): SlackMessage => {
  const listLimit = options.listLimit ?? 20;
  const total = notifications.length;
  const orders = notifications
    .filter((notification) => notification.order)
    .sort((a, b) => (a.order?.outOfSyncSince ?? 0) - (b.order?.outOfSyncSince ?? 0));
  const causes = countByCause(notifications);
  const shownCauses = causes.slice(0, 15);
  const otherCauses = causes.slice(15).reduce((sum, [, count]) => sum + count, 0);

  const title = `${options.followUp ? 'Storm update: ' : ''}${plural(total, 'order')} need a person`;
  const intro = [
    `Many orders need attention at once, so they are summarised here instead of one message each.`,
    options.windowStart === undefined ? '' : `Window starting ${utc(options.windowStart)}.`,
    options.postedIndividually
      ? `${plural(options.postedIndividually, 'order')} were posted individually.`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  const causeLines = shownCauses.map(([cause, count]) => `• ${safe(cause)} — *${count}*`);
  if (otherCauses > 0) causeLines.push(`• Other causes — *${otherCauses}*`);

  const lines = orders.slice(0, listLimit).map((notification) => {
    const order = notification.order as NonNullable<Notification['order']>;
    const parts = [
      link(order.shopifyUrl, order.orderName),
      channelLabels[order.channel] ?? order.channel,
      escapeMrkdwn(stateLabel(order.state)),
      `out of sync ${humanDuration(options.now - order.outOfSyncSince)}`,
    ];
    if (order.hotwaxUrl) parts.push(link(order.hotwaxUrl, 'HotWax'));
    return `• ${parts.join(' · ')}`;
  });

  const blocks: SlackBlock[] = [header(`${kindHeaders.alarm} ${title}`), section(intro)];
  blocks.push(section(`*By cause*\n${causeLines.join('\n')}`));
  // Ten lines per section keeps each well under Slack's 3000-character section limit.
  for (let index = 0; index < lines.length; index += 10) {
    const heading = index === 0 ? '*Out of sync the longest*\n' : '';
    blocks.push(section(`${heading}${lines.slice(index, index + 10).join('\n')}`));
  }
  const unlisted = total - lines.length;
  blocks.push(
    context(
      `${unlisted > 0 ? `…and ${plural(unlisted, 'more order')}. ` : ''}Each order is re-checked automatically; blocked orders are re-imported as soon as their data is fixed in Shopify.`,
    ),
  );
  const fallback = `${title}: ${causes
    .slice(0, 5)
    .map(([cause, count]) => `${count} × ${scrubPii(cause)}`)
    .join('; ')}`;
  return { text: truncate(fallback, sectionLimit), blocks };
};

const alarmEmoji: Record<string, string> = {
  ALARM: ':rotating_light:',
  OK: ':white_check_mark:',
  INSUFFICIENT_DATA: ':grey_question:',
};

const consoleUrl = (alarm: CloudWatchAlarm): string | undefined => {
  const region = alarm.AlarmArn?.split(':')[3];
  if (!region) return undefined;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarm.AlarmName)}`;
};

/** A CloudWatch alarm state change as SNS delivers it: name, new state, why, and what the alarm means. */
export const buildAlarmMessage = (alarm: CloudWatchAlarm): SlackMessage => {
  const state = alarm.NewStateValue;
  const title = `${state === 'OK' ? 'Recovered' : state}: ${alarm.AlarmName}`;
  const blocks: SlackBlock[] = [header(`${alarmEmoji[state] ?? ':bell:'} ${title}`)];
  if (alarm.AlarmDescription) blocks.push(section(safe(alarm.AlarmDescription)));
  if (alarm.NewStateReason) blocks.push(section(`*Why*\n${safe(alarm.NewStateReason)}`));
  const details = [
    alarm.OldStateValue ? `${escapeMrkdwn(alarm.OldStateValue)} → ${escapeMrkdwn(state)}` : '',
    alarm.StateChangeTime ? escapeMrkdwn(alarm.StateChangeTime) : '',
    consoleUrl(alarm) ? link(consoleUrl(alarm) as string, 'Open in CloudWatch') : '',
  ].filter(Boolean);
  if (details.length > 0) blocks.push(context(details.join('  ·  ')));
  const text = [title, alarm.AlarmDescription, alarm.NewStateReason].filter(Boolean).join(' — ');
  return { text: truncate(scrubPii(text), sectionLimit), blocks };
};

const mrkdwnToPlain = (text: string): string =>
  text
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** The message as readable plain text, for the console sink and for tests that read what a person would. */
export const renderPlainText = (message: SlackMessage): string =>
  message.blocks
    .map((block) => {
      switch (block.type) {
        case 'header':
          return `== ${block.text.text} ==`;
        case 'section':
          return [block.text?.text, ...(block.fields ?? []).map((field) => field.text.replace('\n', ': '))]
            .filter(Boolean)
            .map((text) => mrkdwnToPlain(text as string))
            .join('\n');
        case 'context':
          return block.elements.map((element) => mrkdwnToPlain(element.text)).join(' ');
        case 'divider':
          return '----';
        default:
          return '';
      }
    })
    .join('\n');
