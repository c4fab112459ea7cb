import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { config as loadDotenv } from 'dotenv';
import { onRecordSaved } from '../shared/adapters/dynamo/order-repository.js';
import { onHotwaxDiscovered } from '../shared/adapters/hotwax/create-hotwax-port.js';
import {
  apiSchema,
  ConfigError,
  checkerBatching,
  hotwaxFields,
  localRuntimeFields,
  parseConfig,
  retryFields,
  sweepFields,
  timelineLinkFields,
} from '../shared/config/config.js';
import { retryScheduleFromConfig } from '../shared/config/settings.js';
import type { OrderRecord } from '../shared/domain/order-sync.js';
import type { OrderRepository } from '../shared/domain/ports.js';
import { createApiDeps } from '../shared/wiring/api.js';
import { createLinks } from '../shared/wiring/links.js';
import { assertJava, JavaMissingError, startEmulators } from './emulators.js';
import { type Routes, startHttpServer } from './http-server.js';
import { lambdaContext } from './lambda-context.js';
import {
  hasRealConfig,
  localAwsEnv,
  localClients,
  localCredentials,
  removeEndpoints,
  resolveLocalPaths,
  writeEndpoints,
} from './local-aws.js';
import { type QueuePoller, startQueuePoller } from './queue-poller.js';
import { provisionLocal } from './resources.js';
import { type Sandbox, startSandbox } from './sandbox.js';
import { localTimelineLinkKey } from './timeline-link-key.js';
import { validateLocalConfig } from './validate-config.js';
import { importWebhookFunction } from './webhook-function.js';

/**
 * `npm start`: the whole monitor on one machine. DynamoDB Local and fauxqs stand in for DynamoDB, SQS and S3; the
 * Lambda handlers themselves serve the HTTP routes and consume the queues, so this runs the same code as AWS.
 * With no HotWax or Shopify configured it plays the built-in sandbox story.
 */
const main = async () => {
  loadDotenv({ quiet: true });
  // Prerequisites first, so a missing one is one line, not a half-started monitor.
  assertJava();
  const env = process.env;
  // Once, before anything reads a path: every later reader (emulators, endpoints.json) gets absolute ones.
  const localDataDir = resolveLocalPaths(env);
  const runtime = parseConfig(localRuntimeFields, env);
  const sandboxMode = !hasRealConfig(env) || runtime.SANDBOX;
  if (!sandboxMode) validateLocalConfig(env);

  const dataDir = sandboxMode ? undefined : localDataDir;
  say(
    sandboxMode
      ? 'Sandbox mode: no HotWax or Shopify configured, simulators start in this process.'
      : `Using the HotWax at ${env.HOTWAX_BASE_URL} and ${env.SHOPS_FILE ? `the shops of ${env.SHOPS_FILE}` : `Shopify shop ${env.SHOPIFY_SHOP}`}.`,
  );
  // Listening first: a port in use is one line before Java starts, and the timeline links in every message point at
  // this server, so its URL is known before the handlers read their configuration. Requests before they are in
  // place get a 503 (Shopify retries).
  const notReady: HttpHandler = async () => ({ statusCode: 503, body: '{"error":"starting"}' });
  const routes: Routes = { webhook: notReady, api: notReady };
  const server = await startHttpServer(routes, runtime.PORT);
  started.push(() => server.close());

  say(`Starting DynamoDB Local and fauxqs${dataDir ? ` (data kept in ${dataDir}/)` : ' (in memory)'}…`);
  const emulators = await startEmulators(dataDir ? { dataDir } : {});
  started.push(() => emulators.stop());

  const clients = localClients(emulators);
  started.push(() => clients.destroy());
  const resources = await provisionLocal(clients, retryScheduleFromConfig(parseConfig(retryFields, env)));

  const sandbox: Sandbox | undefined = sandboxMode
    ? await startSandbox({ backend: parseConfig(hotwaxBackendField, env).HOTWAX_BACKEND })
    : undefined;
  if (sandbox) started.push(() => sandbox.stop());
  Object.assign(env, {
    ...localAwsEnv(emulators),
    TABLE_NAME: resources.tableName,
    CHECK_QUEUE_URL: resources.checkQueue.url,
    NOTIFY_QUEUE_URL: resources.notifyQueue.url,
    CHECK_DLQ_URL: resources.checkDlq.url,
    NOTIFY_DLQ_URL: resources.notifyDlq.url,
    SLACK_REPLY_QUEUE_URL: resources.slackReplyQueue.url,
    QUARANTINE_BUCKET: resources.bucket,
    POWERTOOLS_LOG_LEVEL: runtime.LOG_LEVEL,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    ...sandbox?.env,
  });

  // Every function discovers the HotWax backend on its first call; the terminal hears which one, once.
  const told = new Set<string>();
  onHotwaxDiscovered((line) => {
    if (!told.has(line)) say(line);
    told.add(line);
  });

  env.PUBLIC_BASE_URL ||= server.url;
  env.TIMELINE_LINK_KEY ||= localTimelineLinkKey(dataDir);

  // Imported only now: each handler validates its configuration when its module loads, as in Lambda.
  // The webhook function from its Lambda bundle (lean AWS clients), the others from source as tsx runs them.
  routes.webhook = await importWebhookFunction();
  routes.api = (await import('../functions/api/handler.js')).handler as unknown as HttpHandler;
  const checker = (await import('../functions/checker/handler.js')).handler as unknown as SqsHandler;
  const notifier = (await import('../functions/notifier/handler.js')).handler as unknown as SqsHandler;
  // The Slack app's routes exist once its requests can be verified (SLACK_SIGNING_SECRET).
  const slackReplies = env.SLACK_SIGNING_SECRET
    ? ((await import('../functions/slack-replies/handler.js')).handler as unknown as SqsHandler)
    : undefined;
  if (env.SLACK_SIGNING_SECRET) {
    routes.slack = (await import('../functions/slack/handler.js')).handler as unknown as HttpHandler;
  }
  const onError = (error: unknown) => say(`  ! ${String((error as Error)?.message ?? error)}`);
  const pollers: QueuePoller[] = [
    startQueuePoller({
      client: clients.sqs,
      queueUrl: resources.checkQueue.url,
      queueArn: resources.checkQueue.arn,
      functionName: 'checker',
      handler: checker,
      // The same batches as the Lambda event source in AWS; the sandbox compresses its time (4 s check delays), so
      // it hands over what one receive gets instead of gathering for seconds.
      batchSize: checkerBatching.batchSize,
      maxBatchingWindowSeconds: sandbox ? 0 : checkerBatching.maxBatchingWindowSeconds,
      onError,
    }),
    startQueuePoller({
      client: clients.sqs,
      queueUrl: resources.notifyQueue.url,
      queueArn: resources.notifyQueue.arn,
      functionName: 'notifier',
      handler: notifier,
      onError,
    }),
    ...(slackReplies
      ? [
          startQueuePoller({
            client: clients.sqs,
            queueUrl: resources.slackReplyQueue.url,
            queueArn: resources.slackReplyQueue.arn,
            functionName: 'slack-replies',
            handler: slackReplies,
            onError,
          }),
        ]
      : []),
  ];
  // The reconciliation sweep on its schedule, as EventBridge Scheduler runs it in AWS. In the sandbox the
  // subscriptions point at this server; with a real shop set WEBHOOK_CALLBACK_URL to your public URL.
  if (sandbox) env.WEBHOOK_CALLBACK_URL = `${server.url}/webhooks/shopify`;
  // Tells `npm run cli -- status` (and `sweep`) where this running monitor keeps its table and queues; in the
  // sandbox also where its simulated HotWax and Shopify are, so `diagnose`, `sweep` and `doctor` work against it.
  writeEndpoints(env, {
    dynamoEndpoint: emulators.dynamoEndpoint,
    sqsEndpoint: emulators.sqsEndpoint,
    tableName: resources.tableName,
    url: server.url,
    ...(sandbox
      ? { sandbox: { env: { ...sandbox.env, WEBHOOK_CALLBACK_URL: `${server.url}/webhooks/shopify` } } }
      : {}),
  });
  const sweeper = (await import('../functions/sweeper/handler.js')).handler as unknown as (
    event: unknown,
    context: Context,
  ) => Promise<{ webhooksMissed: number; overdueRecovered: number; ordersSeen: number }>;
  const sweepEveryMs = parseConfig(sweepFields, env).SWEEP_INTERVAL_SECONDS * 1000;
  // One sweep at a time; shutdown tells the running one it has no time left and waits for it to give its lease back.
  let sweeping: Promise<void> | undefined;
  let stopSweep = false;
  const sweepContext = () => {
    const context = lambdaContext('sweeper', 300_000);
    const remaining = context.getRemainingTimeInMillis;
    return { ...context, getRemainingTimeInMillis: () => (stopSweep ? 0 : remaining()) };
  };
  const sweepTimer = setInterval(() => {
    if (sweeping) return;
    sweeping = sweeper({}, sweepContext())
      .then((summary) => {
        if (summary.webhooksMissed > 0 || summary.overdueRecovered > 0) {
          say(
            `${time()}  sweep: ${summary.ordersSeen} orders seen, ${summary.webhooksMissed} webhooks missed, ${summary.overdueRecovered} lost checks re-queued`,
          );
        }
      })
      .catch((error: unknown) => {
        onError(error);
      })
      .finally(() => {
        sweeping = undefined;
      });
  }, sweepEveryMs);
  sweepTimer.unref();

  say(`Monitor listening on ${server.url}`);
  say(
    `  POST ${server.url}/webhooks/shopify   GET ${server.url}/orders/{shopifyOrderId}   GET ${server.url}/health`,
  );
  say(
    routes.slack
      ? `  POST ${server.url}/slack/actions   POST ${server.url}/slack/commands   GET ${server.url}/orders/{shopifyOrderId}/timeline?token=…`
      : `  GET ${server.url}/orders/{shopifyOrderId}/timeline?token=…   (set SLACK_SIGNING_SECRET for /slack/actions and /slack/commands)`,
  );

  const { store } = createApiDeps(parseConfig(apiSchema, env), { credentials: localCredentials });
  const { timeline } = createLinks(parseConfig(timelineLinkFields, env));
  const linkOf = (shop: string, orderId: string) =>
    timeline && sandbox ? timeline.url({ shop, orderId }, Date.now()) : undefined;
  const watcher = watchStates(store, sandbox, linkOf);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(
      `\n${signal}: stopping — finishing the batches in flight; unfinished checks stay queued or overdue for the next start.`,
    );
    watcher.stop();
    clearInterval(sweepTimer);
    stopSweep = true;
    await sweeping;
    server.close();
    await Promise.allSettled(pollers.map((poller) => poller.stop()));
    await sandbox?.stop();
    clients.destroy();
    await emulators.stop();
    removeEndpoints(env);
    say('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('Ctrl-C'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (sandbox) {
    say('\nPlaying the sandbox story: one order per runbook branch. Watch their states below.\n');
    await sandbox.play(
      `${server.url}/webhooks/shopify`,
      async (orderId, shop = sandbox.shop) => (await store.get({ shop, orderId }))?.state,
    );
  }
};

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;
type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

const hotwaxBackendField = hotwaxFields.pick({ HOTWAX_BACKEND: true });

const say = (line: string) => process.stdout.write(`${line}\n`);
const time = () => new Date().toISOString().slice(11, 19);

/** The lines a watcher remembers (the last printed per order): enough for a flash sale's changes, bounded. */
const rememberedOrders = 10_000;

/**
 * Prints every state change as one readable line. With a real store it hears each record as the functions of this
 * process save it (`onRecordSaved`), so watching costs DynamoDB nothing however many orders there are; in the
 * sandbox it reads the story's few orders every second, and prints a summary once every story has ended.
 */
const watchStates = (
  store: OrderRepository,
  sandbox: Sandbox | undefined,
  linkOf: (shop: string, orderId: string) => string | undefined,
) => {
  /** What was last printed of each order, the most recent last. */
  const seen = new Map<string, { state: string; message: string }>();
  const keyOf = (record: OrderRecord) => `${record.shop}#${record.orderId}`;
  const print = (record: OrderRecord, message: string) => {
    const key = keyOf(record);
    const before = seen.get(key)?.state;
    // Re-checks of an order that waits on a person say the same thing again: print news only.
    if (before === record.state && seen.get(key)?.message === message) return;
    seen.delete(key);
    seen.set(key, { state: record.state, message });
    if (seen.size > rememberedOrders) seen.delete(seen.keys().next().value as string);
    const change = before && before !== record.state ? `${before} → ${record.state}` : record.state;
    say(
      `${time()}  ${record.shop.replace(/\.myshopify\.com$/, '').padEnd(18)} ${record.orderName.padEnd(7)} ${record.channel.padEnd(5)} ${change.padEnd(38)} ${message}`,
    );
  };
  if (!sandbox) {
    const unsubscribe = onRecordSaved((record, events) => {
      const last = events.at(-1);
      // A write without news (no event, same state) prints nothing.
      if (!last && seen.get(keyOf(record))?.state === record.state) return;
      print(record, last?.message ?? '');
    });
    return { stop: unsubscribe };
  }
  const versions = new Map<string, string>();
  let reported = false;
  const tick = async () => {
    const records = await store.getMany(
      sandbox.scenarios.map((scenario) => ({ shop: scenario.shop, orderId: scenario.orderId })),
    );
    for (const record of records) {
      const key = keyOf(record);
      const version = `${record.version}`;
      if (versions.get(key) === version) continue;
      versions.set(key, version);
      const { timeline } = await store.getWithTimeline(record.orderId);
      const last = timeline.filter((event) => event.shop === record.shop).at(-1);
      print(record, last?.message ?? '');
    }
    if (!reported) {
      // In sync but still watched (Created is normal for now) is not where the story ends yet.
      const done = sandbox.scenarios.every((scenario) => {
        const record = records.find(
          (candidate) => candidate.orderId === scenario.orderId && candidate.shop === scenario.shop,
        );
        return record?.state === scenario.expected && !(record.state === 'in_sync' && record.nextCheckAt);
      });
      if (done) {
        reported = true;
        say('\nSandbox story complete — every order ended where the runbook says:');
        for (const scenario of sandbox.scenarios) {
          say(
            `  ${scenario.orderName}  ${scenario.orderId}  ${scenario.expected.padEnd(18)} ${scenario.name}`,
          );
          const link = linkOf(scenario.shop, scenario.orderId);
          if (link) say(`         timeline: ${link}`);
        }
        say('\nThe monitor keeps running: try GET /orders/{id} for any order above, or Ctrl-C to stop.');
        say(
          'Open a timeline link in a browser; ask like Slack does: npx tsx local/slack-command.ts "#1003" (or status).\n',
        );
      }
    }
  };
  let running = true;
  const loop = async () => {
    while (running) {
      await tick().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void loop();
  return {
    stop: () => {
      running = false;
    },
  };
};

/**
 * What `main` has started so far, stopped in reverse when it fails part way: a start that fails (a port in use, a
 * configuration a handler refuses) leaves no DynamoDB Local running behind the prompt.
 */
const started: Array<() => unknown> = [];

main().catch(async (error: unknown) => {
  if (error instanceof JavaMissingError || error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(
      `Port ${localRuntimeFields.shape.PORT.safeParse(process.env.PORT).data ?? process.env.PORT} is in use: set PORT to a free port (e.g. PORT=3001 npm start).\n`,
    );
  } else {
    process.stderr.write(`npm start failed: ${(error as Error).stack ?? String(error)}\n`);
  }
  for (const stop of started.reverse())
    await Promise.resolve()
      .then(stop)
      .catch(() => {});
  process.exit(1);
});
