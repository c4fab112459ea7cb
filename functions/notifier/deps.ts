import { z } from 'zod';
import { createDynamoClient } from '../../shared/adapters/aws/clients.js';
import { createSlackThreadStore } from '../../shared/adapters/dynamo/slack-thread-store.js';
import { createSlackSender } from '../../shared/adapters/slack/slack-sender.js';
import { awsSchema, parseConfig, slackSchema } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createSendNotifications } from '../../shared/use-cases/notify/send-notifications.js';

/** The notifier reads only the table and Slack settings; the storm threshold is tunable per deployment. */
export const notifierSchema = awsSchema
  .pick({ AWS_REGION: true, TABLE_NAME: true, DYNAMODB_ENDPOINT: true })
  .extend({ NOTIFY_STORM_THRESHOLD: z.coerce.number().int().nonnegative().default(10) })
  .and(slackSchema);

const config = parseConfig(notifierSchema, await loadEnv());

export const { logger, metrics, telemetry } = createObservability();
export const { tracer, capture } = createTracing();

/** Without Slack settings (local runs) messages are printed, so nothing is silently dropped. */
export const sender = createSlackSender(config, { write: (text) => process.stdout.write(`${text}\n`) });

if (sender.kind === 'console') logger.warn('Slack is not configured: notifications are printed to the log');

export const notifications = createSendNotifications(
  {
    sender,
    store: createSlackThreadStore({
      client: createDynamoClient(config, capture),
      tableName: config.TABLE_NAME,
    }),
    telemetry,
    clock: { now: () => Date.now() },
  },
  { stormThreshold: config.NOTIFY_STORM_THRESHOLD },
);
