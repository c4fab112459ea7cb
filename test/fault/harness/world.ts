import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../local/emulators.js';
import { type HotwaxSim, startHotwaxSim } from '../../../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../../../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../../../sim/shopify/order-payload.js';
import { type SlackSim, startSlackSim } from '../../../sim/slack/slack-sim.js';
import { cleanEnv, killAllMonitors, type RunningMonitor, startMonitor } from './monitor.js';

/**
 * What the monitor talks to in a fault scenario — the HotWax (OFBiz), Shopify and Slack simulators in this process
 * — and how `npm start` is configured against them: the real defaults, except that time is compressed (delays of
 * seconds, and a retry schedule of 1 s doubling to 4 s over 8 receives, about 23 s, so an outage of a minute or two
 * outlasts it and must end in the DLQ and be redriven, as an outage of several hours would with the defaults).
 */
export interface World {
  hotwax: HotwaxSim;
  shopify: ShopifySim;
  slack: SlackSim;
  secret: string;
  shop: string;
  channel: string;
  port: number;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  start(): Promise<RunningMonitor>;
  close(): Promise<void>;
}

export const compressedTime = {
  CHECK_DELAY_SECONDS: '2',
  FULFILLED_CHECK_DELAY_SECONDS: '2',
  VERIFY_DELAY_SECONDS: '2',
  IMPORT_JOB_COOLDOWN_SECONDS: '1',
  BLOCKED_RECHECK_SECONDS: '5',
  CREATED_STUCK_AFTER_SECONDS: '3600',
  SWEEP_INTERVAL_SECONDS: '10',
  SWEEP_SETTLE_SECONDS: '2',
  RETRY_FIRST_DELAY_SECONDS: '1',
  RETRY_MAX_DELAY_SECONDS: '4',
  RETRY_MAX_RECEIVE_COUNT: '8',
  HOTWAX_TIMEOUT_MS: '2000',
  SHOPIFY_TIMEOUT_MS: '3000',
};

export const createWorld = async (name: string, overrides: NodeJS.ProcessEnv = {}): Promise<World> => {
  const shop = `fault-${name}.myshopify.com`;
  const hotwax = await startHotwaxSim({ importDelayMs: 100, maxCallLog: 2000 });
  const shopify = await startShopifySim({ shop });
  const channel = 'C0FAULTS';
  const slack = await startSlackSim({ channels: [channel] });
  const secret = `shpss_fault_${name}`;
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `osm-fault-${name}-`));
  // The confirmed repair path: "run the New Orders job now" (no per-order import service).
  const { HOTWAX_IMPORT_ORDER_SERVICE: _perOrder, ...hotwaxEnv } = hotwax.env();
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    ...hotwaxEnv,
    PORT: String(port),
    SHOPIFY_SHOP: shop,
    SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
    SHOPIFY_ADMIN_URL: shopify.url,
    SHOPIFY_API_VERSION: shopify.apiVersion,
    SHOPIFY_WEBHOOK_SECRET: secret,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_CHANNEL_ID: channel,
    SLACK_API_URL: slack.apiUrl,
    ...compressedTime,
    ...overrides,
  };
  return {
    hotwax,
    shopify,
    slack,
    secret,
    shop,
    channel,
    port,
    dataDir,
    env,
    start: () => startMonitor(env, dataDir),
    async close() {
      await killAllMonitors();
      await Promise.allSettled([hotwax.stop(), shopify.stop(), slack.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** An order of the scenario: its payload in Shopify, and how HotWax holds it. */
export interface FaultOrder {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

/**
 * Orders Shopify has; `inHotwax` of them HotWax imported already, the rest the New Orders job missed (a re-import
 * brings them in).
 */
export const addOrders = async (
  world: World,
  count: number,
  options: { prefix: string; missingEvery?: number; sourceName?: 'web' | 'pos' },
): Promise<FaultOrder[]> => {
  const orders: FaultOrder[] = [];
  for (let index = 0; index < count; index++) {
    const id = nextOrderId();
    const name = `#${options.prefix}${1000 + index}`;
    const payload = buildOrderPayload({ id, name, sourceName: options.sourceName ?? 'web' });
    await world.shopify.addOrder(payload);
    if (options.missingEvery && index % options.missingEvery === 0) {
      world.hotwax.queueShopifyOrder({
        shopifyOrderId: String(id),
        orderName: name,
        importAs: 'ORDER_APPROVED',
      });
    } else {
      world.hotwax.addOrder({ externalId: String(id), orderName: name, statusId: 'ORDER_APPROVED' });
    }
    orders.push({ id: String(id), name, payload });
  }
  return orders;
};
