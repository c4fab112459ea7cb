import { createSqsClient } from '../adapters/aws/clients.js';
import { createOrderNameIndex } from '../adapters/dynamo/order-name-index.js';
import { createSlackRequestStore } from '../adapters/dynamo/slack-request-store.js';
import { createActorPolicy } from '../adapters/slack/actor-policy.js';
import type { OrderExtras } from '../adapters/slack/block-kit.js';
import { createSlackResponder } from '../adapters/slack/slack-responder.js';
import { createActionReplyQueue } from '../adapters/sqs/action-reply-queue.js';
import type {
  CheckerConfig,
  NotifierConfig,
  SlackInteractionsConfig,
  SlackRepliesConfig,
} from '../config/config.js';
import type { ActionReplies } from '../domain/ports.js';
import type { AnswerPersonDeps } from '../use-cases/slack-actions/answer-person.js';
import type { PostRepliesDeps } from '../use-cases/slack-actions/post-replies.js';
import { createOrderTable, createQueues, runtimeDefaults } from './aws.js';
import { createLinks } from './links.js';
import { awsOptions, type Overrides, replaced } from './options.js';

export interface SlackInteractionsDeps extends AnswerPersonDeps {
  /** SLACK_SIGNING_SECRET: every request is verified with it before anything is parsed */
  signingSecret: string;
}

/**
 * The Slack function's dependencies: the table (orders, the by-name index, requests), the check queue, the reply
 * queue, the actor policy, and the bot token for the Ignore modal. No HotWax, no Shopify Admin token.
 */
export const createSlackInteractionsDeps = (
  config: SlackInteractionsConfig,
  overrides: Overrides<SlackInteractionsDeps> = {},
): SlackInteractionsDeps => {
  const table = createOrderTable(config, overrides);
  const { queue } = createQueues(config, overrides);
  const slack = { token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL };
  return {
    ...runtimeDefaults,
    signingSecret: config.SLACK_SIGNING_SECRET,
    teamId: config.SLACK_TEAM_ID,
    store: table.store,
    names: createOrderNameIndex({ client: table.client, tableName: config.TABLE_NAME }),
    requests: createSlackRequestStore({ client: table.client, tableName: config.TABLE_NAME }),
    queue,
    replies: createActionReplyQueue({
      client: createSqsClient(config, awsOptions(overrides)),
      queueUrl: config.SLACK_REPLY_QUEUE_URL,
    }),
    policy: createActorPolicy({ allowed: config.SLACK_ALLOWED_ACTORS, ...slack }),
    // views.open must happen within 3 s of the click: a short timeout, so a slow Slack fails the click, not the ack.
    responder: createSlackResponder({ ...slack, timeoutMs: 2_000 }),
    links: createLinks(config),
    ...replaced(overrides),
  };
};

/** The reply worker's dependencies: the table (orders, requests), Slack, the timeline links. */
export const createSlackRepliesDeps = (
  config: SlackRepliesConfig,
  overrides: Overrides<PostRepliesDeps> = {},
): PostRepliesDeps => {
  const table = createOrderTable(config, overrides);
  return {
    ...runtimeDefaults,
    store: table.store,
    requests: createSlackRequestStore({ client: table.client, tableName: config.TABLE_NAME }),
    responder: createSlackResponder({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL }),
    links: createLinks(config),
    ...replaced(overrides),
  };
};

/** Where the checker hands the outcome of checks people asked for; none without a Slack app. */
export const createCheckReplies = (
  config: Pick<CheckerConfig, 'SLACK_REPLY_QUEUE_URL' | 'SQS_ENDPOINT' | 'AWS_REGION'>,
  overrides: Overrides<{ replies: ActionReplies }> = {},
): ActionReplies | undefined =>
  overrides.replies ??
  (config.SLACK_REPLY_QUEUE_URL
    ? createActionReplyQueue({
        client: createSqsClient(config, awsOptions(overrides)),
        queueUrl: config.SLACK_REPLY_QUEUE_URL,
      })
    : undefined);

/**
 * What the notifier adds to an order's message: a timeline link signed at posting (valid TIMELINE_LINK_DAYS), and
 * the buttons once the Slack app's requests can be verified (SLACK_SIGNING_SECRET set).
 */
export const notifierOrderExtras = (
  config: Pick<
    NotifierConfig,
    'TIMELINE_LINK_KEY' | 'PUBLIC_BASE_URL' | 'TIMELINE_LINK_DAYS' | 'SLACK_SIGNING_SECRET'
  >,
): OrderExtras | undefined => {
  const { timeline } = createLinks(config);
  const actions = Boolean(config.SLACK_SIGNING_SECRET);
  if (!timeline && !actions) return undefined;
  return (notification, now) => ({
    ...(timeline && notification.order
      ? { timelineUrl: timeline.url({ shop: notification.shop, orderId: notification.order.orderId }, now) }
      : {}),
    actions,
  });
};
