import { channelLabel, humanDuration, scrubPii, utc } from '../../domain/notification-text.js';
import type { OrderView, StatusSummary } from '../../domain/order-view.js';
import type { ReplyTarget } from '../../domain/ports.js';
import { actionButtons } from './action-buttons.js';
import { escapeMrkdwn, type SlackBlock, type SlackMessage } from './block-kit.js';
import {
  ignoreModalCallbackId,
  modalMetadataOf,
  reasonActionId,
  reasonBlockId,
} from './interaction-payloads.js';

/**
 * How an order looks when a person asked about it: the card that replaces a clicked message, the `/ordersync`
 * answer, the status summary and the Ignore modal. Free text is scrubbed and escaped like every other message.
 */

const safe = (text: string) => escapeMrkdwn(scrubPii(text));
const cut = (text: string, limit: number) => (text.length <= limit ? text : `${text.slice(0, limit - 1)}…`);
const link = (url: string, label: string) => `<${url}|${escapeMrkdwn(label)}>`;
/** A Slack user id as a mention: Slack shows the person's name, the monitor keeps only the id. */
export const mention = (actor: string) => `<@${actor.replace(/[^A-Za-z0-9]/g, '')}>`;

const stateEmoji = (view: OrderView) =>
  view.state === 'escalated'
    ? ':sos:'
    : view.needsPerson
      ? ':warning:'
      : view.state === 'ignored'
        ? ':no_entry_sign:'
        : view.state === 'in_sync'
          ? ':white_check_mark:'
          : ':hourglass_flowing_sand:';

const section = (text: string): SlackBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: cut(text, 3000) },
});
const context = (text: string): SlackBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: cut(text, 3000) }],
});

const links = (view: OrderView) =>
  [
    link(view.links.shopify, 'Open in Shopify admin'),
    view.links.hotwax ? link(view.links.hotwax, 'Open in HotWax') : '',
    view.links.timeline ? link(view.links.timeline, 'Timeline') : '',
  ]
    .filter(Boolean)
    .join('  ·  ');

export interface CardOptions {
  now: number;
  /** what a person just asked and what came of it */
  outcome?: { actor: string; said: string };
  /** how many of the last timeline events to show; default 0 */
  events?: number;
}

/** The order as it is now, with the buttons its state allows. */
export const orderCard = (view: OrderView, options: CardOptions): SlackMessage => {
  const { now } = options;
  const title = `${stateEmoji(view)} ${view.orderName} — ${view.stateLabel}`;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(title, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Order*\n${link(view.links.shopify, view.orderName)}` },
        { type: 'mrkdwn', text: `*Channel*\n${channelLabel(view.channel)}` },
        { type: 'mrkdwn', text: `*State*\n${escapeMrkdwn(view.stateLabel)}` },
        { type: 'mrkdwn', text: `*In it for*\n${humanDuration(now - view.stateSince)}` },
      ],
    },
  ];
  if (view.finding) {
    blocks.push(section(`*Cause*\n${safe(view.finding.title)}: ${safe(view.finding.explanation)}`));
    if (view.state !== 'in_sync') blocks.push(section(`*Fix*\n${safe(view.finding.fix)}`));
  }
  const marks = [
    view.mutedUntil
      ? `:mute: Alerts muted by ${mention(view.mutedBy ?? '')} until ${utc(view.mutedUntil)}`
      : '',
    view.ignoredBy
      ? `:no_entry_sign: Ignored by ${mention(view.ignoredBy)}: ${safe(view.ignoredReason ?? 'no reason given')}`
      : '',
  ].filter(Boolean);
  if (marks.length > 0) blocks.push(context(marks.join('\n')));
  const shown = options.events ? view.timeline.slice(-options.events) : [];
  if (shown.length > 0) {
    const lines = shown.map((event) => `• ${utc(event.at).slice(5)} — ${safe(cut(event.message, 280))}`);
    blocks.push(section(`*Last events*\n${lines.join('\n')}`));
  }
  blocks.push(section(links(view)));
  if (options.outcome) {
    blocks.push(context(`${mention(options.outcome.actor)}: ${safe(cut(options.outcome.said, 600))}`));
  }
  const buttons = actionButtons(view.key, view.actions);
  if (buttons) blocks.push(buttons);
  blocks.push(context(`${escapeMrkdwn(view.key.shop)}  ·  ${view.key.orderId}  ·  as of ${utc(now)}`));
  const text = `${view.orderName}: ${view.stateLabel}${view.finding ? ` — ${scrubPii(view.finding.title)}` : ''}`;
  return { text: cut(text, 3000), blocks };
};

/** The thread's line about what a person asked and what came of it. */
export const outcomeLine = (view: OrderView, outcome: { actor: string; said: string }): SlackMessage => ({
  text: `${view.orderName}: ${scrubPii(outcome.said)}`,
  blocks: [section(`${mention(outcome.actor)} — ${safe(cut(outcome.said, 2500))}`)],
});

/** `/ordersync <order>`: each matching order's card with its last events, for the caller only. */
export const ordersAnswer = (query: string, views: readonly OrderView[], now: number): SlackMessage => {
  if (views.length === 0) {
    return {
      text: `No order ${query} is known to the monitor.`,
      blocks: [
        section(
          `No order *${safe(cut(query, 100))}* is known to the monitor. Try the Shopify order id (the number in the admin's URL) or the name as Shopify shows it, e.g. \`#1001\`.`,
        ),
      ],
    };
  }
  const cards = views.slice(0, 3).map((view) => orderCard(view, { now, events: 5 }));
  return {
    text: cards.map((card) => card.text).join(' · '),
    blocks: cards.flatMap((card, index) =>
      index === 0 ? card.blocks : [{ type: 'divider' }, ...card.blocks],
    ),
  };
};

/** `/ordersync status`: counts by state and the orders that need a person. */
export const statusAnswer = (summary: StatusSummary, now: number): SlackMessage => {
  const counts = summary.counts
    .filter(({ count }) => count > 0)
    .map(({ label, count }) => `• ${escapeMrkdwn(label)}: *${count}*`);
  const waiting = summary.needPerson.map(
    (entry) =>
      `• ${escapeMrkdwn(entry.orderName)} (${entry.key.orderId}) — ${escapeMrkdwn(entry.label)}, ${humanDuration(now - entry.since)}`,
  );
  if (summary.moreNeedPerson > 0) waiting.push(`…and ${summary.moreNeedPerson} more`);
  const total = summary.counts.reduce((sum, { count }) => sum + count, 0);
  return {
    text: `${total} orders watched; ${summary.needPerson.length + summary.moreNeedPerson} need a person`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Order sync status', emoji: true } },
      section(`*Orders by state*\n${counts.length > 0 ? counts.join('\n') : 'No orders recorded yet.'}`),
      section(`*Need a person*\n${waiting.length > 0 ? waiting.join('\n') : 'Nobody needs to act. :tada:'}`),
      context('`/ordersync <order name or id>` shows one order with its buttons.'),
    ],
  };
};

export const helpAnswer = (): SlackMessage => ({
  text: 'Usage: /ordersync <order name or Shopify id> | /ordersync status',
  blocks: [
    section(
      "`/ordersync #1001` or `/ordersync 5000071396169` — the order's state, the cause and fix, its last events and its buttons.\n`/ordersync status` — the counts by state and the orders that need a person.",
    ),
  ],
});

/** The modal that asks why the order is ignored; its metadata carries the order and where to answer. */
export const ignoreModal = (order: { key: OrderView['key']; orderName: string }, target: ReplyTarget) => ({
  type: 'modal' as const,
  callback_id: ignoreModalCallbackId,
  private_metadata: modalMetadataOf(order.key, target),
  title: { type: 'plain_text' as const, text: 'Ignore order' },
  submit: { type: 'plain_text' as const, text: 'Ignore' },
  close: { type: 'plain_text' as const, text: 'Cancel' },
  blocks: [
    section(
      `The monitor stops checking *${safe(order.orderName)}* and sends no more alerts about it. The timeline keeps who ignored it and why.`,
    ),
    {
      type: 'input',
      block_id: reasonBlockId,
      label: { type: 'plain_text', text: 'Why? (one line)' },
      element: {
        type: 'plain_text_input',
        action_id: reasonActionId,
        max_length: 200,
        placeholder: { type: 'plain_text', text: 'e.g. duplicate of #1002, cancelled by phone' },
      },
    } satisfies SlackBlock,
  ],
});
