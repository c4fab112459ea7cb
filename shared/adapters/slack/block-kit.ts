import {
  type CloudWatchAlarm,
  channelLabel,
  countByCause,
  type DigestOptions,
  humanDuration,
  outOfSyncFor,
  plural,
  runbookFix,
  scrubPii,
  utc,
} from '../../domain/notification-text.js';
import { actionsFor } from '../../domain/person-actions.js';
import type { Notification, OutgoingMessage } from '../../domain/ports.js';
import { safeErrorText } from '../../domain/safe-error-text.js';
import { stateLabel } from '../../domain/states.js';
import { type ActionsBlock, actionButtons } from './action-buttons.js';

/**
 * How a message looks in Slack: Block Kit blocks and the fallback text, from what the domain says
 * (`notification-text.ts`). Every free text is scrubbed of e-mail- and phone-like strings because raw HotWax errors
 * quote the failed record verbatim.
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
  | { type: 'divider' }
  | ActionsBlock
  | {
      type: 'input';
      block_id: string;
      label: { type: 'plain_text'; text: string };
      element: {
        type: 'plain_text_input';
        action_id: string;
        max_length?: number;
        placeholder?: { type: 'plain_text'; text: string };
      };
    };

/** What a message about an order carries besides the notification, when the deployment has it. */
export interface OrderMessageExtras {
  /** the signed link to the order's timeline page */
  timelineUrl?: string;
  /** Slack interactivity is set up (SLACK_SIGNING_SECRET): the message carries the order's buttons */
  actions?: boolean;
}

/** Extras per notification (the notifier signs a fresh timeline link for each message). */
export type OrderExtras = (notification: Notification, now: number) => OrderMessageExtras;

export interface SlackMessage {
  /** Fallback for notifications, screen readers and clients without Block Kit. */
  text: string;
  blocks: SlackBlock[];
}

// Slack's documented limits: header 150 chars, section text 3000, field 2000.
const headerLimit = 150;
const sectionLimit = 3000;
const rawErrorLimit = 2000;

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

const kindHeaders: Record<Notification['kind'], string> = {
  needs_human: ':warning:',
  escalated: ':sos:',
  resolved: ':white_check_mark:',
  quarantined: ':package:',
  alarm: ':rotating_light:',
};

const orderLinks = (order: NonNullable<Notification['order']>, timelineUrl?: string) =>
  [
    link(order.shopifyUrl, 'Open in Shopify admin'),
    order.hotwaxUrl ? link(order.hotwaxUrl, 'Open in HotWax') : '',
    timelineUrl ? link(timelineUrl, 'Timeline') : '',
  ]
    .filter(Boolean)
    .join('  ·  ');

/**
 * One order's message: order, channel, state, how long it has been out of sync, the cause in plain words, the exact
 * fix, links to Shopify admin and HotWax, and the raw error last (scrubbed).
 */
export const buildNotificationMessage = (
  notification: Notification,
  now: number,
  extras: OrderMessageExtras = {},
): SlackMessage => {
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
        { type: 'mrkdwn', text: `*Channel*\n${channelLabel(order.channel)}` },
        { type: 'mrkdwn', text: `*State*\n${escapeMrkdwn(stateLabel(order.state))}` },
        {
          type: 'mrkdwn',
          text: `*${notification.kind === 'resolved' ? 'Was out of sync for' : 'Out of sync for'}*\n${durationText}`,
        },
      ],
    });
    fallback.push(
      `${order.orderName} (${channelLabel(order.channel)}, ${stateLabel(order.state)})` +
        (duration === undefined
          ? ''
          : `, ${notification.kind === 'resolved' ? 'was ' : ''}out of sync ${humanDuration(duration)}`),
    );
  }
  if (notification.explanation) {
    blocks.push(section(`*Cause*\n${safe(notification.explanation)}`));
    fallback.push(scrubPii(notification.explanation));
  }
  if (notification.kind !== 'resolved' && notification.kind !== 'alarm') {
    const fix = notification.fix ?? runbookFix(notification);
    blocks.push(section(`*Fix*\n${safe(fix)}`));
    fallback.push(`Fix: ${scrubPii(fix)}`);
  } else if (notification.fix) {
    blocks.push(section(safe(notification.fix)));
  }
  if (notification.rawError) {
    blocks.push(
      section(`*Raw error from HotWax*\n${codeBlock(scrubPii(safeErrorText(notification.rawError)))}`),
    );
  }
  if (notification.bundle) {
    blocks.push(
      section(`*Support bundle*\n${codeBlock(scrubPii(JSON.stringify(notification.bundle, null, 1)))}`),
    );
  }
  if (order) blocks.push(section(orderLinks(order, extras.timelineUrl)));
  // A person acts from the alert itself: only on the messages that ask for a person.
  const buttons =
    order && extras.actions && (notification.kind === 'needs_human' || notification.kind === 'escalated')
      ? actionButtons(
          { shop: notification.shop, orderId: order.orderId },
          actionsFor({ state: order.state }, now),
        )
      : undefined;
  if (buttons) blocks.push(buttons);
  blocks.push(context(`${escapeMrkdwn(notification.shop)}  ·  ${utc(notification.at)}`));
  // The notification text (and the console) names the shop too, right after the title: one channel may serve
  // several shops.
  const [first, ...rest] = fallback;
  return { text: truncate([first, notification.shop, ...rest].join(' — '), sectionLimit), blocks };
};

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

  const shops = [...new Set(notifications.map((notification) => notification.shop))];
  const title = `${options.followUp ? 'Storm update: ' : ''}${plural(total, 'order')} need a person`;
  const intro = [
    `Many orders${shops.length > 0 ? ` of ${shops.map(escapeMrkdwn).join(', ')}` : ''} need attention at once, so they are summarised here instead of one message each.`,
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
      channelLabel(order.channel),
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
    .join('; ')} — ${shops.join(', ')}`;
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

/** Any message the notifier posts, as Block Kit. */
export const renderMessage = (message: OutgoingMessage, orderExtras?: OrderExtras): SlackMessage => {
  switch (message.kind) {
    case 'notification':
      return buildNotificationMessage(
        message.notification,
        message.now,
        message.notification.order ? orderExtras?.(message.notification, message.now) : undefined,
      );
    case 'digest':
      return buildDigestMessage(message.notifications, message.options);
    case 'alarm':
      return buildAlarmMessage(message.alarm);
  }
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
        case 'actions':
          return `[ ${block.elements.map((button) => button.text.text).join(' ] [ ')} ]`;
        default:
          return '';
      }
    })
    .join('\n');
