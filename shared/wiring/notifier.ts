import { createSlackThreadStore } from '../adapters/dynamo/slack-thread-store.js';
import { createSlackSender } from '../adapters/slack/slack-sender.js';
import type { NotifierConfig } from '../config/config.js';
import {
  createSendNotifications,
  type SendNotifications,
  type SendNotificationsDeps,
} from '../use-cases/send-notifications/send-notifications.js';
import { createOrderTable, runtimeDefaults } from './aws.js';
import { type Overrides, replaced } from './options.js';
import { notifierOrderExtras } from './slack.js';

export interface NotifierDeps extends SendNotificationsDeps {
  notifications: SendNotifications;
}

/**
 * The notifier's dependencies: Slack (Web API, incoming webhook, or the console when Slack is not configured, so
 * nothing is silently dropped) and the table's thread and storm-window items.
 */
export const createNotifierDeps = (
  config: NotifierConfig,
  overrides: Overrides<SendNotificationsDeps> & { write?: (text: string) => void } = {},
): NotifierDeps => {
  const { write, ...rest } = overrides;
  const deps: SendNotificationsDeps = {
    sender: createSlackSender(config, {
      write: write ?? ((text) => process.stdout.write(`${text}\n`)),
      ...withExtras(notifierOrderExtras(config)),
    }),
    ...runtimeDefaults,
    store: createSlackThreadStore({
      client: createOrderTable(config, rest).client,
      tableName: config.TABLE_NAME,
    }),
    ...replaced(rest),
  };
  return {
    ...deps,
    notifications: createSendNotifications(deps, { stormThreshold: config.NOTIFY_STORM_THRESHOLD }),
  };
};

const withExtras = (orderExtras: ReturnType<typeof notifierOrderExtras>) =>
  orderExtras ? { orderExtras } : {};
