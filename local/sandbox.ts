import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hotwaxSchema, parseConfig } from '../shared/config/config.js';
import type { SyncState } from '../shared/domain/states.js';
import { createHotwaxPort } from '../shared/wiring/shops.js';
import { type HotwaxSim, startHotwaxSim } from '../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../sim/shopify/order-payload.js';

/**
 * The built-in sandbox: HotWax and Shopify simulators in this process, and a story that sends signed webhooks for
 * every branch of the runbook with short delays, so a newcomer sees the monitor work in about a minute. HotWax is an
 * OFBiz tenant, or a Maarg one with HOTWAX_BACKEND=maarg; the story asks the tenant what it can do, as the runbook
 * does, and tells its branches accordingly (a stuck POS order is refreshed on OFBiz, re-imported on Maarg).
 *
 * Two shops of one retailer share the deployment and the HotWax tenant (SHOPS_FILE, written for the run): Sandbox
 * Outfitters (the app's shared client secret) plays every branch; Sandbox Outlet (a custom app with its own secret and
 * its own HotWax ids) numbers its orders from #1001 too and plays three of them, so the same order names live in both
 * shops and each is checked, repaired and swept under its own shop.
 */
export interface Scenario {
  /** the shop the order belongs to: the sandbox serves two, so a newcomer sees each order routed to its own */
  shop: string;
  name: string;
  orderId: string;
  orderName: string;
  /** the state the story ends in */
  expected: SyncState;
}

export interface Sandbox {
  /** the shop that plays every branch (the outlet plays three of the same names) */
  shop: string;
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

export const startSandbox = async (
  options: { backend?: 'auto' | 'ofbiz' | 'maarg' | undefined } = {},
): Promise<Sandbox> => {
  const shop = 'sandbox-outfitters.myshopify.com';
  const outletShop = 'sandbox-outlet.myshopify.com';
  const secret = `sandbox_${randomBytes(16).toString('hex')}`;
  const outletSecret = `sandbox_outlet_${randomBytes(16).toString('hex')}`;
  const outletIds = {
    shopId: 'SIM_OUTLET',
    shopifyConfigId: 'SHOPIFY_CONFIG_OUTLET',
    productStoreId: 'STORE',
  };
  const hotwax: HotwaxSim = await startHotwaxSim({
    backend: options.backend === 'maarg' ? 'maarg' : 'ofbiz',
    importDelayMs: 500,
    refreshDelayMs: 500,
    // One tenant, two shops: the outlet's imports (and on Maarg its fallback sync clone) are the tenant's too.
    otherShopifyConfigIds: [outletIds.shopifyConfigId],
    otherShops: [{ shopId: outletIds.shopId, shopifyConfigId: outletIds.shopifyConfigId }],
    otherShopRemoteIds: [outletIds.shopifyConfigId],
  });
  const shopify: ShopifySim = await startShopifySim({ shop });
  const outlet: ShopifySim = await startShopifySim({
    shop: outletShop,
    accessToken: 'shpat_outlet_simulator',
  });

  // The confirmed repair path: the window re-import (no per-order import service); "Refresh order" where it exists.
  const {
    HOTWAX_IMPORT_ORDER_SERVICE: _perOrderImport,
    HOTWAX_REFRESH_ORDER_SERVICE: refreshService,
    ...hotwaxEnv
  } = hotwax.env();
  const hotwaxSettings = {
    ...hotwaxEnv,
    ...(hotwax.backend === 'ofbiz' && refreshService ? { HOTWAX_REFRESH_ORDER_SERVICE: refreshService } : {}),
  };
  // What this tenant can do, as the monitor will find out: it decides how the story's branches end.
  const tenant = createHotwaxPort(parseConfig(hotwaxSchema, hotwaxSettings));
  await tenant.findOrdersByShopifyIds([]);
  const { reimportRepairsStuck, approval: approvalBy } = tenant.capabilities;

  // One order per branch of the runbook: its name, and the state the story ends in.
  const story = {
    healthy: ['#1001', 'in_sync', 'Healthy web order'],
    missing: [
      '#1002',
      'in_sync',
      reimportRepairsStuck
        ? 'Missed by the import → re-imported (fallback order sync)'
        : 'Missed by the New Orders job → re-imported',
    ],
    blocked: ['#1003', 'in_sync', 'Import failed: missing phone → fixed in Shopify → re-imported'],
    stuckPos: [
      '#1004',
      'in_sync',
      reimportRepairsStuck
        ? 'POS order stuck in Created, fulfilled in Shopify → re-imported, updated in place'
        : 'POS order stuck in Created, fulfilled in Shopify → refreshed',
    ],
    approval: [
      '#1005',
      'awaiting_approval',
      approvalBy === 'store_setting'
        ? 'Web order held in Created: payment pending, "Approve imported orders" off → awaiting approval'
        : 'Web order held in Created: payment pending → awaiting approval',
    ],
    broken: ['#1006', 'escalated', 'Import keeps failing with a technical error → escalated'],
    testOrder: ['#1007', 'ignored', 'Test order → ignored'],
    lost: ['#1008', 'in_sync', 'Webhook never arrived → found by the reconciliation sweep → checked'],
  } satisfies Record<string, [orderName: string, expected: SyncState, name: string]>;
  const byName = Object.fromEntries(
    Object.entries(story).map(([key, [orderName, expected, name]]) => [
      key,
      { shop, name, orderId: String(nextOrderId()), orderName, expected },
    ]),
  ) as Record<keyof typeof story, Scenario>;
  const { healthy, missing, blocked, stuckPos, approval, broken, testOrder, lost } = byName;
  // The outlet's orders carry the same names: each is its own shop's, checked with the outlet's HotWax ids.
  const outletStory = {
    healthy: { ...healthy, name: 'Outlet: healthy web order (same name, other shop)' },
    missing: {
      ...missing,
      name: "Outlet: missed by the import → re-imported under the outlet's own HotWax config",
    },
    lost: { ...lost, name: "Outlet: webhook never arrived → found by the outlet's own sweep → checked" },
  };
  const outletScenarios = Object.values(outletStory).map(
    (scenario): Scenario => ({ ...scenario, shop: outletShop, orderId: String(nextOrderId()) }),
  );
  const [outletHealthy, outletMissing, outletLost] = outletScenarios as [Scenario, Scenario, Scenario];
  const scenarios = [...Object.values(byName), ...outletScenarios];

  const tenantIds = hotwaxEnv as Record<string, string>;
  // The shops file of the run (names of secrets, never their values), as a deployment with several shops has one.
  const shopsDir = mkdtempSync(join(tmpdir(), 'order-sync-sandbox-'));
  const shopsFile = join(shopsDir, 'shops.json');
  writeFileSync(
    shopsFile,
    JSON.stringify(
      {
        shops: [
          {
            shop,
            hotwax: {
              shopId: tenantIds.HOTWAX_SHOP_ID,
              shopifyConfigId: tenantIds.HOTWAX_SHOPIFY_CONFIG_ID,
              productStoreId: tenantIds.HOTWAX_PRODUCT_STORE_ID,
            },
            secrets: { adminToken: 'SANDBOX_OUTFITTERS_ADMIN_TOKEN' },
            overrides: { SHOPIFY_ADMIN_URL: shopify.url },
          },
          {
            shop: outletShop,
            hotwax: outletIds,
            secrets: {
              webhookSecret: 'SANDBOX_OUTLET_WEBHOOK_SECRET',
              adminToken: 'SANDBOX_OUTLET_ADMIN_TOKEN',
            },
            overrides: { SHOPIFY_ADMIN_URL: outlet.url },
          },
        ],
      },
      null,
      2,
    ),
  );

  const env: Record<string, string> = {
    ...hotwaxSettings,
    SHOPIFY_API_VERSION: shopify.apiVersion,
    SHOPIFY_WEBHOOK_SECRET: secret,
    SHOPS_FILE: shopsFile,
    SANDBOX_OUTFITTERS_ADMIN_TOKEN: shopify.accessToken,
    SANDBOX_OUTLET_ADMIN_TOKEN: outlet.accessToken,
    SANDBOX_OUTLET_WEBHOOK_SECRET: outletSecret,
    // The Slack app's routes answer requests signed with this (local/slack-command.ts signs as Slack does).
    SLACK_SIGNING_SECRET: `sandbox_slack_${randomBytes(16).toString('hex')}`,
    ...sandboxTimings,
  };

  const play = async (webhookUrl: string, stateOf: (orderId: string) => Promise<SyncState | undefined>) => {
    shopify.emitWebhooksTo({ url: webhookUrl, secret });
    outlet.emitWebhooksTo({ url: webhookUrl, secret: outletSecret });
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const payload = (scenario: Scenario, options: Parameters<typeof buildOrderPayload>[0] = {}) =>
      buildOrderPayload({ id: Number(scenario.orderId), name: scenario.orderName, ...options });

    // What HotWax's own scheduled import did before the story starts: imported the healthy orders, failed two.
    const imported: Array<[Scenario, Omit<Parameters<HotwaxSim['addOrder']>[0], 'externalId'>]> = [
      [healthy, { statusId: 'ORDER_APPROVED' }],
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
    // HotWax's own scheduled import (the New Orders job, or the shop's fallback order sync) ran once.
    await hotwax.runScheduledImport();
    // Where approval is the product store's setting, it is off: nothing approves the pending order.
    if (approvalBy === 'store_setting') hotwax.maarg.setAutoApproveOrder('N');
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
    // The POS sale: HotWax imported it Created, and it is fulfilled in Shopify a moment later.
    const playStuckPos = async () => {
      hotwax.addOrder({
        externalId: stuckPos.orderId,
        orderName: stuckPos.orderName,
        statusId: 'ORDER_CREATED',
        salesChannelEnumId: 'POS_SALES_CHANNEL',
      });
      await shopify.addOrder(
        payload(stuckPos, { sourceName: 'pos', withCustomer: false, withShippingAddress: false }),
      );
      await sleep(1_000);
      await shopify.fulfillOrder(stuckPos.orderId);
      // What a re-import from Shopify brings where it updates the order in place: the completed sale.
      if (reimportRepairsStuck) {
        hotwax.queueShopifyOrder({
          shopifyOrderId: stuckPos.orderId,
          orderName: stuckPos.orderName,
          channel: 'pos',
          importAs: 'ORDER_COMPLETED',
        });
      }
    };
    if (!reimportRepairsStuck) await playStuckPos();
    await shopify.addOrder(payload(approval, { financialStatus: 'pending', createdAt: at(0) }));
    await shopify.addOrder(payload(broken));
    await shopify.addOrder(payload(testOrder, { test: true }));
    // Shopify's delivery of this one is lost: only the sweep can find it.
    hotwax.addOrder({ externalId: lost.orderId, orderName: lost.orderName, statusId: 'ORDER_APPROVED' });
    shopify.dropWebhooksFor([lost.orderId]);
    await shopify.addOrder(payload(lost));

    // The outlet, in the same minutes: the same order names, its own shop, its own HotWax ids.
    const outletPayload = (scenario: Scenario) =>
      buildOrderPayload({ id: Number(scenario.orderId), name: scenario.orderName });
    hotwax.addOrder({
      externalId: outletHealthy.orderId,
      orderName: outletHealthy.orderName,
      statusId: 'ORDER_APPROVED',
    });
    hotwax.queueShopifyOrder({
      shopifyOrderId: outletMissing.orderId,
      orderName: outletMissing.orderName,
      channel: 'web',
      importAs: 'ORDER_APPROVED',
      shopifyConfigId: outletIds.shopifyConfigId,
    });
    hotwax.addOrder({
      externalId: outletLost.orderId,
      orderName: outletLost.orderName,
      statusId: 'ORDER_APPROVED',
    });
    await outlet.addOrder(outletPayload(outletHealthy));
    await outlet.addOrder(outletPayload(outletMissing));
    outlet.dropWebhooksFor([outletLost.orderId]);
    await outlet.addOrder(outletPayload(outletLost));

    // The merchant fixes the phone in Shopify once the monitor has asked for it.
    if (await waitFor(async () => (await stateOf(blocked.orderId)) === 'blocked_on_data', 60_000)) {
      await sleep(2_000);
      await shopify.fixOrderData(blocked.orderId, { withPhone: true });
      hotwax.fixImport(blocked.orderId);
    }
    // A re-import that updates orders in place syncs every order of its window: the POS sale comes once the other
    // re-imports are over, so the story shows the monitor re-importing it for itself.
    if (reimportRepairsStuck) {
      const settled = [missing, blocked, broken];
      await waitFor(async () => {
        const states = await Promise.all(settled.map((scenario) => stateOf(scenario.orderId)));
        return states.every((state, index) => state === settled[index]?.expected);
      }, 60_000);
      await playStuckPos();
    }
  };

  return {
    shop,
    env,
    scenarios,
    play,
    async stop() {
      await Promise.allSettled([hotwax.stop(), shopify.stop(), outlet.stop()]);
      rmSync(shopsDir, { recursive: true, force: true });
    },
  };
};
