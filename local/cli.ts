import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { config as loadDotenv } from 'dotenv';
import { HotwaxAuthError, HotwaxError } from '../shared/adapters/hotwax/errors.js';
import { ShopifyApiError, ShopifyAuthError } from '../shared/adapters/shopify/admin-errors.js';
import { apiSchema, ConfigError, diagnoseSchema } from '../shared/config/config.js';
import { loadEnv } from '../shared/config/load-env.js';
import type { OrderRecord } from '../shared/domain/order-sync.js';
import type { OrderRepository } from '../shared/domain/ports.js';
import { isShopifyOrderId } from '../shared/domain/shopify-order-id.js';
import { inGroup, type SyncState, syncStates } from '../shared/domain/states.js';
import { type Diagnosis, diagnoseOrder } from '../shared/use-cases/diagnose-order/diagnose-order.js';
import { createApiDeps } from '../shared/wiring/api.js';
import { createDiagnoseDeps } from '../shared/wiring/diagnose.js';
import { doctorCommand } from './cli-doctor.js';
import { sweepCommand } from './cli-sweep.js';
import {
  endpointsFile,
  localCredentials,
  localRegion,
  readEndpoints,
  usePublishedSandbox,
} from './local-aws.js';
import { parseForPeople, parseShopsForPeople } from './validate-config.js';

/**
 * `npm run cli -- <command>`: the operator's tools. `diagnose` runs the Order Sync runbook for one order against
 * HotWax and Shopify (and repairs it with `--repair`); `status` lists orders by state from the monitor's table.
 */

const exitCodes = { ok: 0, attention: 1, usage: 2, unreachable: 3 } as const;

const exitCodeHelp = `
Exit codes:
  0  healthy: in sync with HotWax, or nothing to sync (test or cancelled order); status: nothing needs a person
  1  needs attention, the repair was not verified, or an unexpected error; status: orders wait for a person
  2  usage or configuration error (every configuration problem is listed; HotWax or Shopify refused the credentials)
  3  could not reach HotWax, Shopify or the order table: try again later`;

/** An error that ends the command with a message and a given exit code (no stack trace: people read it). */
class CliExitError extends Error {
  override name = 'CliExitError';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

type Env = Record<string, string | undefined>;

const warnings = {
  warn: (message: string, attributes?: Record<string, unknown>) =>
    process.stderr.write(`warning: ${message}${attributes ? ` ${JSON.stringify(attributes)}` : ''}\n`),
};

/** People paste the id, the admin URL or the GraphQL gid; all of them name the same number. */
const parseOrderId = (value: string): string => {
  const id = /^(?:gid:\/\/shopify\/Order\/|https?:\/\/\S*\/orders\/)?(\d+)\/?$/.exec(value.trim())?.[1];
  if (!id || !isShopifyOrderId(id)) {
    throw new InvalidArgumentError(
      "Use the order's numeric Shopify id (the number at the end of its admin URL …/orders/<id>), not its name (#1001).",
    );
  }
  return id;
};

const positiveInteger = (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidArgumentError('Must be a whole number above 0.');
  return number;
};

// --- output ----------------------------------------------------------------------------------------------------

const out = (line = '') => process.stdout.write(`${line}\n`);
const labelWidth = 10;

/** Wraps long values under their label so a terminal shows a readable column. */
const labelled = (label: string, value: string) => {
  const width = Math.max(60, Math.min(process.stdout.columns ?? 110, 120)) - labelWidth - 2;
  const lines: string[] = [];
  for (const paragraph of value.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line && line.length + word.length + 1 > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  lines.forEach((line, index) => {
    out(`${index === 0 ? label.padEnd(labelWidth) : ' '.repeat(labelWidth)}  ${line}`);
  });
};

const flagNames: Record<keyof NonNullable<Diagnosis['shopify']>['flags'], string> = {
  hasCustomer: 'customer',
  hasEmail: 'email',
  hasPhone: 'phone',
  hasShippingAddress: 'shipping address',
  hasShippingPhone: 'shipping phone',
  hasBillingAddress: 'billing address',
};

const shopifyLine = (shopify: NonNullable<Diagnosis['shopify']>) => {
  const parts = [
    shopify.cancelledAt ? `cancelled ${shopify.cancelledAt}` : 'exists',
    ...(shopify.test ? ['TEST order'] : []),
    `${shopify.channel} (source ${shopify.sourceName ?? 'unknown'})`,
    `payment ${shopify.financialStatus}`,
    shopify.fulfillmentStatus,
    `created ${shopify.createdAt}`,
    `updated ${shopify.updatedAt}`,
  ];
  const missing = Object.entries(shopify.flags)
    .filter(([, present]) => !present)
    .map(([flag]) => flagNames[flag as keyof typeof flagNames]);
  if (missing.length > 0) parts.push(`no ${missing.join(', no ')}`);
  return `${parts.join(' · ')}\n${shopify.url}`;
};

const hotwaxLine = (hotwax: NonNullable<Diagnosis['hotwax']>) => {
  const parts = [`order ${hotwax.orderId}`, hotwax.statusId];
  if (!hotwax.live) parts.push('every version cancelled');
  if (hotwax.salesChannelEnumId) parts.push(hotwax.salesChannelEnumId);
  if (hotwax.versions.length > 1)
    parts.push(
      `${hotwax.versions.length} versions (${hotwax.versions.map((v) => `${v.orderId} ${v.statusId}`).join(', ')})`,
    );
  return `${parts.join(' · ')}\n${hotwax.url}`;
};

const repairLine = (diagnosis: Diagnosis, repairAsked: boolean): string | undefined => {
  const { repair } = diagnosis;
  if (!repair) {
    if (!repairAsked || diagnosis.healthy) return undefined;
    return diagnosis.state === 'blocked_on_data'
      ? 'nothing to trigger yet: the order must be fixed in Shopify first.'
      : 'nothing the monitor can trigger: a person must act (see Fix).';
  }
  if (!repair.performed) {
    return repair.error
      ? `could not ${repair.description}: ${repair.error}`
      : `available: ${repair.description}. Run again with --repair to do it and verify it.`;
  }
  const verdict = repair.verified ? `verified after ${repair.waitedSeconds} s` : 'NOT verified';
  return `requested: ${repair.description} — ${verdict}. ${repair.outcome ?? ''}`.trim();
};

const printDiagnosis = (diagnosis: Diagnosis, repairAsked: boolean) => {
  const name = diagnosis.shopify ? `${diagnosis.shopify.orderName} (Shopify order ${diagnosis.orderId})` : '';
  out(
    `${name || `Shopify order ${diagnosis.orderId}`} on ${diagnosis.shop} — ${diagnosis.healthy ? 'healthy' : 'needs attention'}`,
  );
  labelled('Shopify', diagnosis.shopify ? shopifyLine(diagnosis.shopify) : 'not found in Shopify');
  labelled('HotWax', diagnosis.hotwax ? hotwaxLine(diagnosis.hotwax) : 'no order with this Shopify id');
  labelled('Finding', diagnosis.summary);
  if (diagnosis.finding) {
    labelled('Cause', `${diagnosis.finding.title}. ${diagnosis.finding.explanation}`);
    if (diagnosis.finding.rawError !== undefined) {
      const log = diagnosis.finding.mdmLogId
        ? ` (HotWax import log ${diagnosis.finding.mdmLogId}: Shopify Order MDM on OFBiz, Data Manager on Maarg)`
        : '';
      labelled('Error', `"${diagnosis.finding.rawError}"${log}`);
    }
  }
  // Once a repair is verified the fix is done; showing it would invite a person to do it again.
  if (diagnosis.fix && !diagnosis.repair?.verified) labelled('Fix', diagnosis.fix);
  const repair = repairLine(diagnosis, repairAsked);
  if (repair) labelled('Repair', repair);
  const state = diagnosis.repair?.state ?? diagnosis.state;
  if (state) labelled('State', `${state} (as the monitor would record it)`);
  if (diagnosis.state === 'blocked_on_data' && !diagnosis.repair)
    labelled('Next', `once fixed in Shopify: npm run cli -- diagnose ${diagnosis.orderId} --repair`);
};

// --- diagnose --------------------------------------------------------------------------------------------------

const runDiagnose = async (
  orderId: string,
  options: { repair?: boolean; timeout?: number; json?: boolean; shop?: string },
): Promise<number> => {
  const env = await readEnv();
  const shops = parseShopsForPeople(
    diagnoseSchema,
    env,
    'Set them in .env (in this directory) or in the environment (several shops: SHOPS_FILE).',
  );
  const config = await shopOfOrder(orderId, options.shop, shops, env);
  const diagnosis = await diagnoseOrder(
    createDiagnoseDeps(config, {
      logger: warnings,
      onProgress: (message) => process.stderr.write(`… ${message}\n`),
    }),
    {
      orderId,
      repair: Boolean(options.repair),
      now: Date.now(),
      ...(options.timeout ? { verifyTimeoutMs: options.timeout * 1000 } : {}),
    },
  );
  if (options.json) out(JSON.stringify(diagnosis, null, 2));
  else printDiagnosis(diagnosis, Boolean(options.repair));
  return diagnosis.healthy ? exitCodes.ok : exitCodes.attention;
};

const parseShopDomain = (value: string): string => {
  const shop = value.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop))
    throw new InvalidArgumentError("Use the shop's <name>.myshopify.com domain.");
  return shop;
};

/**
 * The configuration of the order's shop: `--shop`, else the only shop, else the shop of the monitor's record of the
 * order (the table of the running `npm start`, or TABLE_NAME in AWS).
 */
const shopOfOrder = async <C extends { SHOPIFY_SHOP: string }>(
  orderId: string,
  shop: string | undefined,
  shops: readonly C[],
  env: Env,
): Promise<C> => {
  const served = shops.map((config) => config.SHOPIFY_SHOP).join(', ');
  if (shop) {
    const chosen = shops.find((config) => config.SHOPIFY_SHOP === shop);
    if (!chosen) throw new CliExitError(`This monitor does not serve ${shop}; it serves ${served}.`, 2);
    return chosen;
  }
  if (shops.length === 1) return shops[0] as C;
  let recorded: string[] = [];
  try {
    const table = openTable(env);
    recorded = (await table.store.getWithTimeline(orderId)).records.map((record) => record.shop);
  } catch {
    // No table to ask: the person names the shop.
  }
  const [found, ...others] = shops.filter((config) => recorded.includes(config.SHOPIFY_SHOP));
  if (found && others.length === 0) return found;
  throw new CliExitError(
    found
      ? `Order ${orderId} is recorded for several shops (${recorded.join(', ')}): name one with --shop.`
      : `The monitor has no record of order ${orderId}, so its shop is unknown: name it with --shop (${served}).`,
    exitCodes.usage,
  );
};

// --- status ----------------------------------------------------------------------------------------------------

interface OrderTable {
  store: OrderRepository;
  tableName: string;
  /** where the table is, for people */
  where: string;
  local: boolean;
}

/** A running `npm start` writes where its DynamoDB Local listens; otherwise the table is the one in AWS. */
const openTable = (env: Env): OrderTable => {
  const running = readEndpoints(env);
  if (running) {
    const { store } = createApiDeps(
      { AWS_REGION: localRegion, TABLE_NAME: running.tableName, DYNAMODB_ENDPOINT: running.dynamoEndpoint },
      { credentials: localCredentials },
    );
    return {
      store,
      tableName: running.tableName,
      where: `DynamoDB Local at ${running.dynamoEndpoint} (from ${endpointsFile(env)}, written by npm start)`,
      local: true,
    };
  }
  const config = parseForPeople(
    apiSchema.pick({ AWS_REGION: true, TABLE_NAME: true, DYNAMODB_ENDPOINT: true }),
    env,
    'Run npm start, or set TABLE_NAME (and AWS credentials) for the table in AWS.',
  );
  return {
    store: createApiDeps(config).store,
    tableName: config.TABLE_NAME,
    where: config.DYNAMODB_ENDPOINT
      ? `DynamoDB at ${config.DYNAMODB_ENDPOINT}`
      : `DynamoDB in ${config.AWS_REGION} (TABLE_NAME)`,
    local: false,
  };
};

const tableFailure = (error: unknown, table: OrderTable): Error => {
  const name = (error as Error)?.name ?? '';
  const message = (error as Error)?.message ?? String(error);
  if (name === 'ResourceNotFoundException')
    return new CliExitError(
      `Table ${table.tableName} does not exist (${table.where}): check TABLE_NAME.`,
      2,
      {
        cause: error,
      },
    );
  if (
    [
      'CredentialsProviderError',
      'UnrecognizedClientException',
      'InvalidSignatureException',
      'AccessDeniedException',
    ].includes(name)
  )
    return new CliExitError(`AWS refused access to ${table.tableName} (${name}): ${message}`, 2, {
      cause: error,
    });
  const hint = table.local ? ' Is npm start still running? If not, delete the endpoints.json it left.' : '';
  return new CliExitError(`Could not read the order table (${table.where}): ${message}.${hint}`, 3, {
    cause: error,
  });
};

const ago = (ms: number) => {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h ${minutes % 60}m` : `${Math.floor(hours / 24)}d ${hours % 24}h`;
};

const runStatus = async (options: {
  state?: SyncState;
  limit: number;
  json?: boolean;
  shop?: string;
}): Promise<number> => {
  const { shop } = options;
  const table = openTable(await readEnv());
  const { store } = table;
  const states: readonly SyncState[] = options.state ? [options.state] : syncStates;
  let counts: Array<[SyncState, number]>;
  let orders: OrderRecord[];
  try {
    counts = await Promise.all(
      states.map(async (state) => [state, await store.countByState(state, shop)] as const),
    );
    const listed = counts.filter(
      ([state, count]) => count > 0 && (options.state || !inGroup(state, 'healthy')),
    );
    orders = (
      await Promise.all(listed.map(([state]) => store.listByState(state, options.limit, shop)))
    ).flat();
  } catch (error) {
    throw tableFailure(error, table);
  }
  const needPerson = counts.reduce(
    (sum, [state, count]) => sum + (inGroup(state, 'needsPerson') ? count : 0),
    0,
  );
  const now = Date.now();

  if (options.json) {
    out(
      JSON.stringify(
        {
          table: table.tableName,
          where: table.where,
          shop: shop ?? null,
          counts: Object.fromEntries(counts),
          needPerson,
          orders: orders.map((order) => ({
            state: order.state,
            orderName: order.orderName,
            orderId: order.orderId,
            shop: order.shop,
            channel: order.channel,
            since: new Date(order.stateSince).toISOString(),
            finding: order.finding?.title ?? null,
            nextCheckAt: order.nextCheckAt === undefined ? null : new Date(order.nextCheckAt).toISOString(),
          })),
        },
        null,
        2,
      ),
    );
  } else {
    out(`Order sync status${shop ? ` of ${shop}` : ''} — table ${table.tableName}, ${table.where}`);
    out();
    for (const [state, count] of counts) {
      const flag = inGroup(state, 'needsPerson') && count > 0 ? '  ← needs a person' : '';
      out(`  ${state.padEnd(20)}${String(count).padStart(7)}${flag}`);
    }
    if (orders.length > 0) {
      out();
      out(
        options.state ? `Orders in ${options.state} (longest first):` : 'Orders not in sync (longest first):',
      );
      // The shop's column only when the orders listed are of several shops.
      const withShop = new Set(orders.map((order) => order.shop)).size > 1;
      const rows = orders.map((order) => [
        order.state,
        ...(withShop ? [order.shop] : []),
        order.orderName,
        order.orderId,
        `${new Date(order.stateSince).toISOString()} (${ago(now - order.stateSince)})`,
        order.finding?.title ?? '—',
      ]);
      const header = ['STATE', ...(withShop ? ['SHOP'] : []), 'ORDER', 'SHOPIFY ID', 'SINCE', 'CAUSE'];
      const widths = header.map((title, column) =>
        Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
      );
      for (const row of [header, ...rows])
        out(
          `  ${row.map((cell, column) => (column < header.length - 1 ? cell.padEnd(widths[column] ?? 0) : cell)).join('  ')}`,
        );
    }
    out();
    out(
      needPerson > 0
        ? `${needPerson} order${needPerson === 1 ? ' needs' : 's need'} a person. Details: npm run cli -- diagnose <shopifyOrderId>`
        : 'Nothing needs a person.',
    );
  }
  return needPerson > 0 ? exitCodes.attention : exitCodes.ok;
};

// --- program ---------------------------------------------------------------------------------------------------

/** `.env` fills in what the environment lacks; secrets named in CONFIG_SECRET_ARNS override both (as in AWS). */
const readEnv = async (): Promise<Env> => {
  try {
    return await loadEnv(process.env);
  } catch (error) {
    throw new CliExitError(
      `Could not read the secrets named in CONFIG_SECRET_ARNS: ${(error as Error).message}`,
      exitCodes.unreachable,
      { cause: error },
    );
  }
};

const buildProgram = (setExitCode: (code: number) => void, configurationSource: string): Command => {
  const program = new Command('order-sync-monitor')
    .description(
      'Operator tools of the order sync monitor: prove a configuration (doctor), diagnose and repair one Shopify order, list orders by state, sweep now.',
    )
    .addHelpText('after', exitCodeHelp)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  program
    .command('diagnose')
    .description(
      "Run the Order Sync runbook for one Shopify order against HotWax and Shopify: where it is, what is wrong, why, and what to do. Needs HOTWAX_* and SHOPIFY_* settings, not the monitor's table.",
    )
    .argument(
      '<shopifyOrderId>',
      "the order's numeric Shopify id (end of its admin URL), a gid or the URL",
      parseOrderId,
    )
    .option(
      '--repair',
      'trigger the repair the runbook calls for (re-import or refresh), then verify it in HotWax',
    )
    .option(
      '--timeout <seconds>',
      'how long --repair waits for HotWax to show the repair (default: VERIFY_DELAY_SECONDS, 300)',
      positiveInteger,
    )
    .option(
      '--shop <domain>',
      "the order's shop (<name>.myshopify.com); default: the shop of the monitor's record of the order",
      parseShopDomain,
    )
    .option('--json', 'print the diagnosis as JSON')
    .addHelpText('after', exitCodeHelp)
    .action(
      async (
        orderId: string,
        options: { repair?: boolean; timeout?: number; json?: boolean; shop?: string },
      ) => {
        setExitCode(await runDiagnose(orderId, options));
      },
    );

  program
    .command('status')
    .description(
      "List orders by sync state from the monitor's table: the running `npm start` (.data/endpoints.json), else TABLE_NAME (+ DYNAMODB_ENDPOINT) in AWS.",
    )
    .addOption(new Option('--state <state>', 'only this state, with its orders').choices(syncStates))
    .option('--limit <count>', 'orders listed per state', positiveInteger, 50)
    .option('--shop <domain>', 'only this shop (<name>.myshopify.com); default every shop', parseShopDomain)
    .option('--json', 'print counts and orders as JSON')
    .addHelpText('after', exitCodeHelp)
    .action(async (options: { state?: SyncState; limit: number; json?: boolean; shop?: string }) => {
      setExitCode(await runStatus(options));
    });

  sweepCommand(program);
  doctorCommand(program, { source: () => configurationSource, setExitCode });
  return program;
};

/** Maps a failure to its exit code and tells the person what happened, without a stack trace. */
const reportFailure = (error: unknown): number => {
  const say = (message: string) => process.stderr.write(`${message}\n`);
  // Commander has printed its own message (or the help) already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  if (error instanceof ConfigError) {
    say(error.message);
    return exitCodes.usage;
  }
  if (error instanceof CliExitError) {
    say(error.message);
    return error.exitCode;
  }
  if (error instanceof HotwaxAuthError || error instanceof ShopifyAuthError) {
    say(`${error.message}. Check the credentials in .env or the environment.`);
    return exitCodes.usage;
  }
  if (error instanceof HotwaxError) {
    say(`Could not get an answer from HotWax: ${error.message}`);
    return exitCodes.unreachable;
  }
  if (error instanceof ShopifyApiError) {
    say(`Could not get an answer from Shopify: ${error.message}`);
    return exitCodes.unreachable;
  }
  say(`Unexpected error: ${(error as Error)?.message ?? String(error)}`);
  if (process.env.DEBUG) say(String((error as Error)?.stack));
  return exitCodes.attention;
};

const main = async () => {
  loadDotenv({ quiet: true });
  let code: number = exitCodes.ok;
  try {
    // No real configuration, but `npm start` runs the sandbox here: work against its simulated HotWax and Shopify.
    const sandbox = usePublishedSandbox(process.env);
    if (sandbox)
      process.stderr.write(`Using the sandbox of the running npm start (settings from ${sandbox}).\n`);
    const source = sandbox ? `the running sandbox, ${sandbox}` : '.env and the environment';
    await buildProgram((next) => {
      code = next;
    }, source).parseAsync(process.argv);
  } catch (error) {
    code = reportFailure(error);
  }
  // Idle keep-alive sockets of the HTTP clients must not hold the answer back.
  process.exit(code);
};

await main();
