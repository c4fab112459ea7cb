import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError, parseConfig, sweeperSchema } from '../shared/config/config.js';
import { loadEnv } from '../shared/config/load-env.js';
import type { Telemetry } from '../shared/domain/ports.js';
import { InvalidDurationError, parseDuration } from '../shared/domain/sweep-window.js';
import { type SweepSummary, sweepOrders } from '../shared/use-cases/sweep-orders/sweep-orders.js';
import { createSweeperDeps } from '../shared/wiring/sweeper.js';
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

/** `npm run cli -- sweep [--since 2h]`: the scheduled sweep, run now, with a progress bar and a readable summary. */
export const runSweepCommand = async (
  options: { since?: number; json?: boolean },
  env: Env = process.env,
) => {
  const local = await useRunningEmulators(env);
  const warnings: string[] = [];
  // Printed after the progress bar, not through it.
  const note = (message: string, detail?: Record<string, unknown>) =>
    warnings.push(`${message}${detail ? ` ${JSON.stringify(detail)}` : ''}`);
  const telemetry: Telemetry = { count() {}, value() {}, info() {}, warn: note, error: note };
  const deps = createSweeperDeps(parseConfig(sweeperSchema, await loadEnv(env)), {
    telemetry,
    logger: { warn: note },
  });
  const bar = new cliProgress.SingleBar(
    {
      format: 'Sweeping {bar} {percentage}% | {pages} pages | {orders} orders | {missed} missed webhooks',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  if (!options.json) bar.start(1000, 0, { pages: 0, orders: 0, missed: 0 });

  const now = Date.now();
  let summary: SweepSummary;
  try {
    summary = await sweepOrders(
      {
        ...deps,
        onProgress: (progress) =>
          bar.update(Math.round((progress.coveredMs / Math.max(1, progress.totalMs)) * 1000), {
            pages: progress.pages,
            orders: progress.ordersSeen,
            missed: progress.webhooksMissed,
          }),
      },
      { now, deadline: now + cliRunMs, sinceMs: options.since },
    );
  } finally {
    bar.stop();
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  if (options.json) print(JSON.stringify(summary, null, 2));
  else for (const line of report(summary, local)) print(line);
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
    .option('--json', 'print the summary as JSON')
    .action(async (options: { since?: number; json?: boolean }) => {
      await runSweepCommand(options);
    });
};
