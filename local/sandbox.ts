import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { hotwaxSchema, parseConfig } from '../shared/config/config.js';
import type { SyncState } from '../shared/domain/states.js';
import { createHotwaxPort } from '../shared/wiring/shops.js';
import { type HotwaxSim, startHotwaxSim } from '../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../sim/shopify/order-payload.js';

/**
 * The built-in sandbox: HotWax and Shopify simulators in this process, and a story that sends signed webhooks for
 * every branch of the runbook with short delays, so a newcomer sees the monitor work in about a minute.
 */
export interface Scenario {
  name: string;
  orderId: string;
  orderName: string;
  /** the state the story ends in */
  expected: SyncState;
}

export interface Sandbox {
  env: Record<string, string>;
  scenarios: Scenario[];
  /** plays the story against the monitor at `webhookUrl`; `stateOf` reads an order's state from the monitor */
  play(webhookUrl: string, stateOf: (orderId: string) => Promise<SyncState | undefined>): Promise<void>;
  stop(): Promise<void>;
}

/** Timings that make the whole story play in about a minute. */
export const sandboxTimings = {
  CHECK_DELAY_SECONDS: '4',
  FULFILLED_CHECK_DELAY_SECONDS: '4',
  VERIFY_DELAY_SECONDS: '4',
  CREATED_STUCK_AFTER_SECONDS: '15',
  BLOCKED_RECHECK_SECONDS: '4',
  IMPORT_JOB_COOLDOWN_SECONDS: '1',
  MAX_REPAIR_ATTEMPTS: '3',
  SWEEP_INTERVAL_SECONDS: '10',
  SWEEP_SETTLE_SECONDS: '2',
};

const waitFor = async (condition: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(500);
  }
  return false;
};

export const startSandbox = async (): Promise<Sandbox> => {
  const shop = 'sandbox-outfitters.myshopify.com';
  const secret = `sandbox_${randomBytes(16).toString('hex')}`;
  const hotwax: HotwaxSim = await startHotwaxSim({ importDelayMs: 500, refreshDelayMs: 500 });
  const shopify: ShopifySim = await startShopifySim({ shop });

  // One order per branch of the runbook: its name, and the state the story ends in.
  const story = {
    healthy: ['#1001', 'in_sync', 'Healthy web order'],
    missing: ['#1002', 'in_sync', 'Missed by the New Orders job → re-imported'],
    blocked: ['#1003', 'in_sync', 'Import failed: missing phone → fixed in Shopify → re-imported'],
    stuckPos: ['#1004', 'in_sync', 'POS order stuck in Created, fulfilled in Shopify → refreshed'],
    approval: [
      '#1005',
      'awaiting_approval',
      'Web order held in Created: payment pending → awaiting approval',
    ],
    broken: ['#1006', 'escalated', 'Import keeps failing with a technical error → escalated'],
    testOrder: ['#1007', 'ignored', 'Test order → ignored'],
    lost: ['#1008', 'in_sync', 'Webhook never arrived → found by the reconciliation sweep → checked'],
  } satisfies Record<string, [orderName: string, expected: SyncState, name: string]>;
  const byName = Object.fromEntries(
    Object.entries(story).map(([key, [orderName, expected, name]]) => [
      key,
      { name, orderId: String(nextOrderId()), orderName, expected },
    ]),
  ) as Record<keyof typeof story, Scenario>;
  const { healthy, missing, blocked, stuckPos, approval, broken, testOrder, lost } = byName;
  const scenarios = Object.values(byName);

  // The confirmed repair path: "run the New Orders job now" (no per-order import service configured).
  const { HOTWAX_IMPORT_ORDER_SERVICE: _perOrderImport, ...hotwaxEnv } = hotwax.env();
  const env: Record<string, string> = {
    ...hotwaxEnv,
    SHOPIFY_SHOP: shop,
    SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
    SHOPIFY_API_VERSION: shopify.apiVersion,
    SHOPIFY_ADMIN_URL: shopify.url,
    SHOPIFY_WEBHOOK_SECRET: secret,
    HOTWAX_REFRESH_ORDER_SERVICE: hotwax.settings.refreshOrderService,
    ...sandboxTimings,
  };

  const play = async (webhookUrl: string, stateOf: (orderId: string) => Promise<SyncState | undefined>) => {
    shopify.emitWebhooksTo({ url: webhookUrl, secret });
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const payload = (scenario: Scenario, options: Parameters<typeof buildOrderPayload>[0] = {}) =>
      buildOrderPayload({ id: Number(scenario.orderId), name: scenario.orderName, ...options });

    // What HotWax's own scheduled import did before the story starts: imported the healthy orders, failed two.
    const imported: Array<[Scenario, Omit<Parameters<HotwaxSim['addOrder']>[0], 'externalId'>]> = [
      [healthy, { statusId: 'ORDER_APPROVED' }],
      [stuckPos, { statusId: 'ORDER_CREATED', salesChannelEnumId: 'POS_SALES_CHANNEL' }],
      [approval, { statusId: 'ORDER_CREATED', approvable: false }],
    ];
    for (const [scenario, order] of imported) {
      hotwax.addOrder({ externalId: scenario.orderId, orderName: scenario.orderName, ...order });
    }
    for (const scenario of [blocked, broken]) {
      hotwax.queueShopifyOrder({
        shopifyOrderId: scenario.orderId,
        orderName: scenario.orderName,
        channel: 'web',
        importAs: 'ORDER_APPROVED',
      });
    }
    hotwax.failImport(blocked.orderId, 'Phone number is missing in the shipping address of the order');
    hotwax.failImport(
      broken.orderId,
      'Service [createShopifyOrder] target threw an unexpected exception (null)',
    );
    // HotWax's New Orders job, as its schedule would run it (the sandbox has no per-order import service).
    await createHotwaxPort(parseConfig(hotwaxSchema, hotwaxEnv)).reimport({ orders: [] });
    await hotwax.idle();
    // Arrived after that run: the next scheduled run would pick it up, the monitor does not wait for it.
    hotwax.queueShopifyOrder({
      shopifyOrderId: missing.orderId,
      orderName: missing.orderName,
      channel: 'web',
      importAs: 'ORDER_APPROVED',
    });

    // Shopify tells the monitor about every order (signed orders/create webhooks).
    await shopify.addOrder(payload(healthy));
    await shopify.addOrder(payload(missing));
    await shopify.addOrder(payload(blocked, { withPhone: false }));
    await shopify.addOrder(
      payload(stuckPos, { sourceName: 'pos', withCustomer: false, withShippingAddress: false }),
    );
    await shopify.addOrder(payload(approval, { financialStatus: 'pending', createdAt: at(0) }));
    await shopify.addOrder(payload(broken));
    await shopify.addOrder(payload(testOrder, { test: true }));
    // Shopify's delivery of this one is lost: only the sweep can find it.
    hotwax.addOrder({ externalId: lost.orderId, orderName: lost.orderName, statusId: 'ORDER_APPROVED' });
    shopify.dropWebhooksFor([lost.orderId]);
    await shopify.addOrder(payload(lost));
    // The POS sale is fulfilled in Shopify while HotWax still shows it Created.
    await sleep(1_000);
    await shopify.fulfillOrder(stuckPos.orderId);

    // The merchant fixes the phone in Shopify once the monitor has asked for it.
    if (await waitFor(async () => (await stateOf(blocked.orderId)) === 'blocked_on_data', 60_000)) {
      await sleep(2_000);
      await shopify.fixOrderData(blocked.orderId, { withPhone: true });
      hotwax.fixImport(blocked.orderId);
    }
  };

  return {
    env,
    scenarios,
    play,
    async stop() {
      await Promise.allSettled([hotwax.stop(), shopify.stop()]);
    },
  };
};
