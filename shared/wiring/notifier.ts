import { createSlackThreadStore } from '../adapters/dynamo/slack-thread-store.js';
import { createSlackSender } from '../adapters/slack/slack-sender.js';
import type { RetryLater } from '../adapters/sqs/retry-later.js';
import type { NotifierConfig } from '../config/config.js';
import { createRedriveWhenHealthy } from '../use-cases/redrive-dead-letters/redrive-dead-letters.js';
import {
  createSendNotifications,
  type SendNotifications,
  type SendNotificationsDeps,
} from '../use-cases/send-notifications/send-notifications.js';
import { createOrderTable, createQueueRetries, runtimeDefaults } from './aws.js';
import { type Overrides, replaced } from './options.js';
import { notifierOrderExtras } from './slack.js';

export interface NotifierDeps extends SendNotificationsDeps {
  notifications: SendNotifications;
  /** holds failed records back for the retry schedule's wait, or Slack's Retry-After when longer */
  retryLater: RetryLater;
  /** after a batch Slack took: moves dead-lettered notifications back to the notify queue */
  redriveWhenHealthy: () => Promise<void>;
}

/**
 * The notifier's dependencies: Slack (Web API, incoming webhook, or the console when Slack is not configured, so
 * nothing is silently dropped) and the table's thread and storm-window items.
 */
export const createNotifierDeps = (
  config: NotifierConfig,
  overrides: Overrides<SendNotificationsDeps> & {
    write?: (text: string) => void;
    /** SHOPS_FILE's `slackChannelId` by shop: those shops' messages and digests go there (Web API only) */
    shopChannels?: Readonly<Record<string, string>>;
  } = {},
): NotifierDeps => {
  const { write, shopChannels = {}, ...rest } = overrides;
  const senderOptions = {
    write: write ?? ((text: string) => process.stdout.write(`${text}\n`)),
    ...withExtras(notifierOrderExtras(config)),
  };
  const sender = createSlackSender(config, senderOptions);
  // An incoming webhook posts to the one channel it was made for: routing needs the bot token.
  const routed = new Map(
    sender.kind === 'web-api'
      ? Object.entries(shopChannels)
          .filter(([, channel]) => channel !== config.SLACK_CHANNEL_ID)
          .map(([shop, channel]) => [
            shop,
            createSlackSender({ ...config, SLACK_CHANNEL_ID: channel }, senderOptions),
          ])
      : [],
  );
  const deps: SendNotificationsDeps = {
    sender,
    ...(routed.size > 0 ? { senderOf: (shop: string) => routed.get(shop) } : {}),
    ...runtimeDefaults,
    store: createSlackThreadStore({
      client: createOrderTable(config, rest).client,
      tableName: config.TABLE_NAME,
    }),
    ...replaced(rest),
  };
  const clock = deps.clock ?? runtimeDefaults.clock;
  const { retryLater, deadLetters } = createQueueRetries(
    { ...config, queueUrl: config.NOTIFY_QUEUE_URL, dlqUrl: config.NOTIFY_DLQ_URL },
    { ...rest, telemetry: deps.telemetry },
  );
  return {
    ...deps,
    notifications: createSendNotifications(deps, { stormThreshold: config.NOTIFY_STORM_THRESHOLD }),
    retryLater,
    redriveWhenHealthy: deadLetters
      ? createRedriveWhenHealthy(
          { deadLetters, telemetry: deps.telemetry, clock },
          { queue: 'notifications' },
        )
      : async () => {},
  };
};

const withExtras = (orderExtras: ReturnType<typeof notifierOrderExtras>) =>
  orderExtras ? { orderExtras } : {};
