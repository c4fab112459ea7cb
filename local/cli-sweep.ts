import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError, sweeperSchema } from '../shared/config/config.js';
import { loadEnv } from '../shared/config/load-env.js';
import { parseShops } from '../shared/config/shops.js';
import type { Telemetry } from '../shared/domain/ports.js';
import { InvalidDurationError, parseDuration } from '../shared/domain/sweep-window.js';
import type { SweepProgressEvent, SweepSummary } from '../shared/use-cases/sweep-orders/sweep-orders.js';
import { type SweepShopsSummary, sweepShops } from '../shared/use-cases/sweep-orders/sweep-shops.js';
import { createShopSweeps } from '../shared/wiring/sweeper.js';
import { endpointsFile, localAwsEnv, localClients, readEndpoints } from './local-aws.js';

type Env = Record<string, string | undefined>;

/** A CLI sweep holds the lease at most this long, so a forgotten terminal never blocks the scheduled sweeps. */
const cliRunMs = 10 * 60_000;

const parseSince = (value: string): number => {
  try {
    return parseDuration(value);
  } catch (error) {
    if (error instanceof InvalidDurationError)
      throw new InvalidArgumentError('Use a duration such as 30m, 2h or 1d.');
    throw error;
  }
};

/** With `npm start` running, sweep into its DynamoDB Local and fauxqs instead of whatever the environment names. */
const useRunningEmulators = async (env: Env): Promise<boolean> => {
  const running = readEndpoints(env);
  if (!running) return false;
  const { sqsEndpoint, dynamoEndpoint, tableName } = running;
  if (!sqsEndpoint) throw new ConfigError([`${endpointsFile(env)} names no sqsEndpoint: restart npm start.`]);
  const clients = localClients({ dynamoEndpoint, sqsEndpoint });
  try {
    const queueUrl = async (QueueName: string) =>
      (await clients.sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl ?? '';
    Object.assign(env, {
      ...localAwsEnv({ dynamoEndpoint, sqsEndpoint }),
      TABLE_NAME: tableName,
      CHECK_QUEUE_URL: await queueUrl('order-sync-checks'),
      NOTIFY_QUEUE_URL: await queueUrl('order-sync-notifications'),
    });
  } finally {
    clients.destroy();
  }
  return true;
};

const time = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
/** The first few, so the summary stays one screen; `--json` lists up to 50. */
const orders = (list: SweepSummary['missed'], total: number) =>
  `${list
    .slice(0, 10)
    .map((order) => `${order.orderName} (${order.orderId})`)
    .join(', ')}${total > 10 ? `, … ${total - 10} more` : ''}`;

const report = (summary: SweepSummary, local: boolean): string[] => {
  if (summary.skipped) return [`Nothing swept: ${summary.skipped}. Try again in a moment.`];
  const lines = [
    `Swept ${summary.shop}${local ? ' (tables and queues of the running npm start)' : ''}:`,
    summary.window
      ? `  orders updated ${time(summary.window.from)} → ${time(summary.window.to)} UTC: ${summary.ordersSeen} in ` +
        `${summary.pages} page${summary.pages === 1 ? '' : 's'} (query cost ${summary.queryCost})`
      : '  no orders to sweep yet: the checkpoint is up to date',
    `  webhooks missed:          ${summary.webhooksMissed}${summary.webhooksMissed ? ' — recorded, checks queued' : ''}`,
  ];
  if (summary.missed.length > 0) lines.push(`    ${orders(summary.missed, summary.webhooksMissed)}`);
  lines.push(`  fulfilled, no webhook:    ${summary.expectationsApplied}`);
  if (summary.fulfilledWithoutWebhook.length > 0)
    lines.push(`    ${orders(summary.fulfilledWithoutWebhook, summary.expectationsApplied)}`);
  lines.push(`  lost checks re-queued:    ${summary.overdueRecovered}`);
  if (summary.deadLettersProbed > 0)
    lines.push(
      `  dead letters probed:      ${summary.deadLettersProbed} (moved back; the rest follow once they pass)`,
    );
  const { subscriptions } = summary;
  lines.push(
    !subscriptions.checked
      ? '  webhook subscriptions:    could not be read (see the warnings)'
      : subscriptions.missing.length === 0
        ? '  webhook subscriptions:    orders/create and orders/fulfilled in place'
        : `  webhook subscriptions:    MISSING ${subscriptions.missing.join(', ')}` +
          (subscriptions.restored.length > 0 ? ` — re-created ${subscriptions.restored.join(', ')}` : ''),
  );
  if (!summary.completed) lines.push('Stopped before the end: run it again to continue from the checkpoint.');
  return lines;
};

/**
 * `npm run cli -- sweep [--since 2h] [--shop <domain>]`: the scheduled sweep of every shop (or one), run now, with a
 * progress bar and a readable summary per shop. Each shop keeps its own lease and checkpoint; one failing shop is
 * reported and the others are still swept.
 */
export const runSweepCommand = async (
  options: { since?: number; json?: boolean; shop?: string },
  env: Env = process.env,
): Promise<SweepShopsSummary> => {
  const local = await useRunningEmulators(env);
  const warnings: string[] = [];
  // Printed after the progress bar, not through it.
  const note = (message: string, detail?: Record<string, unknown>) =>
    warnings.push(`${message}${detail ? ` ${JSON.stringify(detail)}` : ''}`);
  const telemetry: Telemetry = { count() {}, value() {}, info() {}, warn: note, error: note };
  const configs = parseShops(sweeperSchema, await loadEnv(env)).map(({ config }) => config);
  const chosen = options.shop ? configs.filter((config) => config.SHOPIFY_SHOP === options.shop) : configs;
  if (chosen.length === 0) {
    throw new ConfigError([
      `This monitor does not serve ${options.shop}; it serves ${configs.map((config) => config.SHOPIFY_SHOP).join(', ')}.`,
    ]);
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'Sweeping {bar} {percentage}% | {pages} pages | {orders} orders | {missed} missed webhooks',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  if (!options.json) bar.start(1000, 0, { pages: 0, orders: 0, missed: 0 });
  // The bar shows every shop together: the share of each shop's windows covered, averaged.
  const covered = new Map<string, { share: number; pages: number; orders: number; missed: number }>();
  const progressOf = (shop: string) => (progress: SweepProgressEvent) => {
    covered.set(shop, {
      share: progress.coveredMs / Math.max(1, progress.totalMs),
      pages: progress.pages,
      orders: progress.ordersSeen,
      missed: progress.webhooksMissed,
    });
    const all = [...covered.values()];
    const sum = (pick: (entry: (typeof all)[number]) => number) =>
      all.reduce((total, entry) => total + pick(entry), 0);
    bar.update(Math.round((sum((entry) => entry.share) / chosen.length) * 1000), {
      pages: sum((entry) => entry.pages),
      orders: sum((entry) => entry.orders),
      missed: sum((entry) => entry.missed),
    });
  };
  const shops = createShopSweeps(chosen, { telemetry, logger: { warn: note } }).map((deps) => ({
    ...deps,
    onProgress: progressOf(deps.settings.shop),
  }));

  const now = Date.now();
  let summary: SweepShopsSummary;
  try {
    summary = await sweepShops(shops, { now, deadline: now + cliRunMs, sinceMs: options.since }, telemetry);
  } finally {
    bar.stop();
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  if (options.json)
    print(JSON.stringify(chosen.length === 1 && configs.length === 1 ? summary.shops[0] : summary, null, 2));
  else {
    for (const shop of summary.shops) for (const line of report(shop, local)) print(line);
    for (const failure of summary.failed) print(`Sweep of ${failure.shop} FAILED: ${failure.error}`);
  }
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  return summary;
};

/** Adds `sweep` to the operator's CLI (local/cli.ts). */
export const sweepCommand = (program: Command): void => {
  program
    .command('sweep')
    .description(
      "Run the reconciliation sweep now: orders in Shopify whose webhooks never arrived, lost checks, and the webhook subscriptions. Uses the running `npm start` (.data/endpoints.json), else the sweeper's environment (TABLE_NAME, CHECK_QUEUE_URL, NOTIFY_QUEUE_URL, SHOPIFY_*).",
    )
    .option(
      '--since <duration>',
      'sweep orders updated in this period (30m, 2h, 1d) instead of from the checkpoint',
      parseSince,
    )
    .option('--shop <domain>', 'sweep only this shop (<name>.myshopify.com); default every shop')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { since?: number; json?: boolean; shop?: string }) => {
      await runSweepCommand(options);
    });
};
