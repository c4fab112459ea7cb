import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import { diagnoseSchema, parseConfig } from '../../shared/config/config.js';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import { diagnoseOrder } from '../../shared/use-cases/diagnose-order/diagnose-order.js';
import { createDiagnoseDeps } from '../../shared/wiring/diagnose.js';
import { type HotwaxSim, simFallbackJobName, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId, type OrderPayloadOptions } from '../../sim/shopify/order-payload.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { backends, reimportRunCalls } from '../support/backends.js';
import { webOrderFacts } from '../support/order-fixtures.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(repo, 'node_modules/tsx/dist/cli.mjs');
const cli = join(repo, 'local/cli.ts');
const shop = 'acme-cli.myshopify.com';
const hour = 3_600_000;
const missingPhone = 'Phone number is missing in the shipping address of the order';
const personalData = ['ada@example.com', '555-010-0199', '1 Test Street', 'Ada', 'Springfield'];

/** An empty directory: no `.env` or `.data/` of the repository reaches the CLI. */
let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'order-sync-cli-'));
});
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

type Env = Record<string, string | undefined>;

const runCli = (args: string[], env: Env, directory = cwd) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const defined = Object.fromEntries(
      Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...env }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    const child = spawn(process.execPath, [tsx, cli, ...args], { cwd: directory, env: defined });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

describe.each(backends)('on a HotWax %s tenant', (backend) => {
  let hotwax: HotwaxSim;
  let shopify: ShopifySim;

  beforeAll(async () => {
    [hotwax, shopify] = await Promise.all([startHotwaxSim({ backend }), startShopifySim({ shop })]);
  });
  afterAll(async () => {
    await Promise.all([hotwax?.stop(), shopify?.stop()]);
  });

  /** The monitor's settings pointed at the simulators; `without` drops optional services. */
  const simEnv = (...without: string[]): Env => {
    const env: Env = {
      ...hotwax.env(),
      SHOPIFY_SHOP: shop,
      SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
      SHOPIFY_ADMIN_URL: shopify.url,
      SHOPIFY_API_VERSION: shopify.apiVersion,
    };
    for (const key of without) delete env[key];
    return env;
  };

  const shopifyOrder = async (options: OrderPayloadOptions = {}) => {
    const id = nextOrderId();
    const name = `#${1000 + (id % 9000)}`;
    await shopify.addOrder(buildOrderPayload({ id, name, ...options }));
    return { id: String(id), name };
  };

  /** The newest failed-import log: the Shopify Order MDM's (OFBiz) or the Data Manager's (Maarg). */
  const newestImportLog = () =>
    backend === 'maarg' ? hotwax.maarg.dataManagerLogs().at(-1)?.logId : hotwax.mdmLogs().at(-1)?.logId;

  /** How the re-import reads to people on this tenant. */
  const reimportWords =
    backend === 'maarg'
      ? /sync Shopify order \d+ into HotWax again \(the shop's fallback order sync/
      : /run the New Orders job \(JOB_IMP_ORD\) now/;

  describe('npm run cli -- diagnose', () => {
    it('reports an order HotWax holds as expected as healthy (exit 0)', async () => {
      const order = await shopifyOrder();
      const held = hotwax.addOrder({
        externalId: order.id,
        orderName: order.name,
        statusId: 'ORDER_APPROVED',
      });

      const { code, stdout } = await runCli(['diagnose', order.id, '--json'], simEnv());

      expect(code).toBe(0);
      const diagnosis = JSON.parse(stdout);
      expect(diagnosis).toMatchObject({
        orderId: order.id,
        shop,
        healthy: true,
        state: 'in_sync',
        shopify: { orderName: order.name, channel: 'web', fulfilled: false },
        hotwax: { orderId: held.orderId, statusId: 'ORDER_APPROVED', live: true },
      });
      expect(diagnosis.summary).toContain(held.orderId);
      for (const value of personalData) expect(stdout).not.toContain(value);
    });

    it('names the cause and the fix of an import that failed on a missing phone (exit 1)', async () => {
      const order = await shopifyOrder({ withPhone: false });
      hotwax.queueShopifyOrder({ shopifyOrderId: order.id, orderName: order.name });
      hotwax.failImport(order.id, missingPhone);
      await hotwax.runScheduledImport();
      const logId = newestImportLog();
      const runsBefore = reimportRunCalls(hotwax);

      const { code, stdout } = await runCli(['diagnose', order.id], simEnv());

      expect(code).toBe(1);
      const text = stdout.replace(/\s+/g, ' ');
      expect(text).toContain('needs attention');
      expect(text).toMatch(/HotWax\s+no order with this Shopify id/);
      expect(text).toContain('Phone number missing or invalid');
      expect(text).toContain(`"${missingPhone}" (HotWax import log ${logId}`);
      expect(text).toMatch(/Fix\s+Add the phone number/);
      expect(text).toContain('blocked_on_data');
      expect(text).toContain(`diagnose ${order.id} --repair`);
      // Diagnosing alone repairs nothing.
      expect(reimportRunCalls(hotwax)).toBe(runsBefore);
    });

    it('re-imports an order the import missed with --repair and verifies it (exit 0)', async () => {
      const order = await shopifyOrder();
      // Arrived after HotWax's last scheduled run: in Shopify, not yet in HotWax.
      hotwax.queueShopifyOrder({
        shopifyOrderId: order.id,
        orderName: order.name,
        importAs: 'ORDER_APPROVED',
      });
      const runsBefore = reimportRunCalls(hotwax);

      const { code, stdout } = await runCli(
        ['diagnose', order.id, '--repair', '--timeout', '20'],
        simEnv('HOTWAX_IMPORT_ORDER_SERVICE'),
      );

      expect(code).toBe(0);
      expect(reimportRunCalls(hotwax)).toBe(runsBefore + 1);
      const [imported] = hotwax.getOrdersByExternalId(order.id);
      expect(imported?.statusId).toBe('ORDER_APPROVED');
      const text = stdout.replace(/\s+/g, ' ');
      expect(text).toMatch(new RegExp(`${reimportWords.source}.* — verified`));
      expect(text).toContain(`Re-import verified: HotWax order ${imported?.orderId} is ORDER_APPROVED`);
      expect(stdout).toMatch(/State\s+in_sync/);
    });

    it('repairs a POS order stuck in Created that Shopify shows fulfilled, as the tenant can, and verifies it (exit 0)', async () => {
      const order = await shopifyOrder({
        sourceName: 'pos',
        createdAt: new Date(Date.now() - 2 * hour).toISOString(),
        withCustomer: false,
      });
      await shopify.fulfillOrder(order.id);
      const stuck = hotwax.addOrder({
        externalId: order.id,
        orderName: order.name,
        statusId: 'ORDER_CREATED',
        salesChannelEnumId: 'POS_SALES_CHANNEL',
      });
      // What an import from Shopify would bring now: the sale completed.
      hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'pos', importAs: 'ORDER_COMPLETED' });

      const { code, stdout } = await runCli(['diagnose', order.id, '--repair', '--timeout', '20'], simEnv());

      expect(code).toBe(0);
      const versions = hotwax.getOrdersByExternalId(order.id);
      const text = stdout.replace(/\s+/g, ' ');
      if (backend === 'ofbiz') {
        expect(versions.map((version) => version.statusId)).toEqual(['ORDER_CANCELLED', 'ORDER_COMPLETED']);
        expect(versions[0]?.orderId).toBe(stuck.orderId);
        expect(text).toContain(`refresh HotWax order ${stuck.orderId}`);
        expect(text).toContain(`Refresh verified: new version ${versions[1]?.orderId} is ORDER_COMPLETED`);
        expect(hotwax.callCount(`service/${hotwax.settings.refreshOrderService}`)).toBe(1);
      } else {
        // No refresh on Maarg: the re-import updates the order in place.
        expect(versions.map(({ orderId, statusId }) => [orderId, statusId])).toEqual([
          [stuck.orderId, 'ORDER_COMPLETED'],
        ]);
        expect(text).toMatch(reimportWords);
        expect(text).toContain(`Re-import verified: HotWax order ${stuck.orderId} is ORDER_COMPLETED`);
        expect(hotwax.callCount(`service/${hotwax.settings.refreshOrderService}`)).toBe(0);
      }
    });

    it('says an unknown order was not found in Shopify (exit 1)', async () => {
      const { code, stdout } = await runCli(['diagnose', String(nextOrderId())], simEnv());

      expect(code).toBe(1);
      expect(stdout).toContain('not found in Shopify');
    });

    it('refuses an order name instead of an id as a usage error (exit 2)', async () => {
      const { code, stderr } = await runCli(['diagnose', '#1001'], simEnv());

      expect(code).toBe(2);
      expect(stderr).toContain('not its name (#1001)');
    });

    it('fails with exit 3 when HotWax cannot be reached', async () => {
      const order = await shopifyOrder();
      hotwax.down(true);
      try {
        const { code, stdout, stderr } = await runCli(['diagnose', order.id], simEnv());

        expect(code).toBe(3);
        expect(stdout).toBe('');
        expect(stderr).toContain('Could not get an answer from HotWax');
        expect(stderr).not.toMatch(/^\s+at /m);
      } finally {
        hotwax.down(false);
      }
    });
  });

  describe('diagnoseOrder', () => {
    const diagnose = (
      orderId: string,
      options: { repair?: boolean; importOrder?: boolean; refresh?: boolean } = {},
    ) =>
      diagnoseOrder(
        createDiagnoseDeps(
          parseConfig(diagnoseSchema, {
            ...simEnv(
              ...(options.importOrder ? [] : ['HOTWAX_IMPORT_ORDER_SERVICE']),
              ...(options.refresh ? [] : ['HOTWAX_REFRESH_ORDER_SERVICE']),
            ),
            VERIFY_DELAY_SECONDS: '20',
          }),
        ),
        { orderId, repair: options.repair ?? false, now: Date.now(), pollIntervalMs: 500 },
      );

    it('re-imports an order once its missing phone was fixed in Shopify, and verifies it', async () => {
      const order = await shopifyOrder({ withPhone: false });
      hotwax.queueShopifyOrder({
        shopifyOrderId: order.id,
        orderName: order.name,
        importAs: 'ORDER_APPROVED',
      });
      hotwax.failImport(order.id, missingPhone);
      await hotwax.runScheduledImport();
      // Shopify's updated_at has whole seconds: the merchant's fix must land in a later second than the failure.
      await sleep(1_005 - (Date.now() % 1_000));
      await shopify.fixOrderData(order.id, { withPhone: true });
      hotwax.fixImport(order.id);

      // The per-order import service where OFBiz has one; Maarg re-imports with its fallback sync.
      const diagnosis = await diagnose(order.id, { repair: true, importOrder: true });

      expect(diagnosis.summary).toContain('changed in Shopify since');
      expect(diagnosis.repair).toMatchObject({
        kind: backend === 'maarg' ? 'reimport_job' : 'reimport_order',
        performed: true,
        verified: true,
      });
      expect(diagnosis).toMatchObject({ healthy: true, hotwax: { statusId: 'ORDER_APPROVED' } });
    });

    it('stops waiting when the re-import fails again, with the new failed record as the cause', async () => {
      const order = await shopifyOrder();
      hotwax.queueShopifyOrder({ shopifyOrderId: order.id, orderName: order.name });
      hotwax.failImport(order.id, 'Connection timeout while reading from Shopify');
      await hotwax.runScheduledImport();
      const firstLog = newestImportLog();

      const diagnosis = await diagnose(order.id, { repair: true });

      expect(diagnosis.repair).toMatchObject({ kind: 'reimport_job', performed: true, verified: false });
      expect(diagnosis.repair?.outcome).toContain('failed again');
      expect(diagnosis.finding?.mdmLogId).not.toBe(firstLog);
      expect(diagnosis.finding?.rawError).toBe('Connection timeout while reading from Shopify');
      expect(diagnosis.healthy).toBe(false);
    });

    it('diagnoses a web order held in Created by a pending payment as awaiting approval', async () => {
      const order = await shopifyOrder({
        financialStatus: 'pending',
        createdAt: new Date(Date.now() - 2 * hour).toISOString(),
      });
      hotwax.addOrder({ externalId: order.id, orderName: order.name, statusId: 'ORDER_CREATED' });

      const diagnosis = await diagnose(order.id, { repair: true });

      expect(diagnosis.state).toBe('awaiting_approval');
      expect(diagnosis.finding?.explanation).toContain('the payment is pending in Shopify');
      expect(diagnosis.fix).toContain('Order Approval troubleshooting');
      expect(diagnosis.fix).toContain(backend === 'maarg' ? 'autoApproveOrder' : 'JOB_APR_ORD');
      expect(diagnosis.repair).toBeUndefined();
      expect(diagnosis.healthy).toBe(false);
    });

    it('handles a stuck POS order without a refresh service as the tenant can', async () => {
      const order = await shopifyOrder({
        sourceName: 'pos',
        createdAt: new Date(Date.now() - 2 * hour).toISOString(),
      });
      await shopify.fulfillOrder(order.id);
      const stuck = hotwax.addOrder({
        externalId: order.id,
        statusId: 'ORDER_CREATED',
        salesChannelEnumId: 'POS_SALES_CHANNEL',
      });

      const diagnosis = await diagnose(order.id);

      if (backend === 'ofbiz') {
        // No refresh service: a person gets the exact steps.
        expect(diagnosis.state).toBe('stuck_created');
        expect(diagnosis.fix).toContain(`View Sales Order for ${stuck.orderId} and click "Refresh order"`);
        expect(diagnosis.repair).toBeUndefined();
      } else {
        // Maarg needs no refresh: the re-import is offered, and nobody is sent to a button that does not exist.
        expect(diagnosis.state).toBe('reimport_requested');
        expect(diagnosis.repair).toMatchObject({ kind: 'reimport_job', performed: false });
        expect(diagnosis.fix).not.toContain('Refresh order');
      }
      expect(hotwax.getOrdersByExternalId(order.id)).toHaveLength(1);
    });

    it('reports several live HotWax orders with one Shopify id as ambiguous, offering no repair', async () => {
      const order = await shopifyOrder();
      const first = hotwax.addOrder({ externalId: order.id, statusId: 'ORDER_COMPLETED' });
      const second = hotwax.addOrder({ externalId: order.id, statusId: 'ORDER_APPROVED' });

      const diagnosis = await diagnose(order.id, { repair: true });

      expect(diagnosis).toMatchObject({ state: 'ambiguous', healthy: false });
      expect(diagnosis.repair).toBeUndefined();
      expect(diagnosis.fix).toContain(`${second.orderId}, ${first.orderId}`);
      expect(diagnosis.hotwax?.versions).toHaveLength(2);
    });

    it('treats Created within its normal time as healthy and offers no repair', async () => {
      const order = await shopifyOrder();
      hotwax.addOrder({ externalId: order.id, statusId: 'ORDER_CREATED' });

      const diagnosis = await diagnose(order.id);

      expect(diagnosis).toMatchObject({ healthy: true, state: 'in_sync' });
      expect(diagnosis.summary).toContain('Created is normal for now');
      expect(diagnosis.repair).toBeUndefined();
    });

    it('ignores an order cancelled in Shopify before it reached HotWax', async () => {
      const order = await shopifyOrder({ cancelledAt: new Date().toISOString() });

      const diagnosis = await diagnose(order.id, { repair: true });

      expect(diagnosis).toMatchObject({ healthy: true, state: 'ignored', hotwax: null });
      expect(diagnosis.summary).toContain('cancelled in Shopify');
      expect(diagnosis.repair).toBeUndefined();
    });

    it('offers the re-import without performing it when repair is not asked for', async () => {
      const order = await shopifyOrder({ withPhone: false });
      const runsBefore = reimportRunCalls(hotwax);

      const diagnosis = await diagnose(order.id);

      expect(diagnosis.repair).toMatchObject({ kind: 'reimport_job', performed: false });
      expect(diagnosis.repair?.description).toMatch(reimportWords);
      expect(diagnosis.shopify?.flags).toMatchObject({ hasPhone: false, hasShippingPhone: false });
      expect(reimportRunCalls(hotwax)).toBe(runsBefore);
      for (const value of personalData) expect(JSON.stringify(diagnosis)).not.toContain(value);
    });

    if (backend === 'maarg') {
      it('stops waiting once HotWax says the re-import run failed: the re-import did not happen', async () => {
        const order = await shopifyOrder();
        hotwax.queueShopifyOrder({
          shopifyOrderId: order.id,
          orderName: order.name,
          importAs: 'ORDER_APPROVED',
        });
        hotwax.maarg.failNextRuns(simFallbackJobName, 1, 'Simulated fallback sync failure');

        const diagnosis = await diagnose(order.id, { repair: true });

        expect(diagnosis.repair).toMatchObject({ performed: true, verified: false });
        expect(diagnosis.repair?.outcome).toMatch(/HotWax's run JR\d+ of the re-import failed/);
        expect(diagnosis.repair?.waitedSeconds).toBeLessThan(20);
        expect(hotwax.getOrdersByExternalId(order.id)).toEqual([]);
      });
    }
  });
});

describe('npm run cli -- diagnose, misconfigured', () => {
  it('lists every configuration problem at once, without a stack trace (exit 2)', async () => {
    const { code, stdout, stderr } = await runCli(['diagnose', '5000000000001'], {
      SHOPIFY_SHOP: 'not-a-shop',
      HOTWAX_BASE_URL: 'hotwax',
      HOTWAX_USERNAME: 'monitor',
    });

    expect(code).toBe(2);
    expect(stdout).toBe('');
    for (const problem of [
      'HOTWAX_BASE_URL must be a URL',
      'HOTWAX_SHOPIFY_CONFIG_ID is missing',
      'HOTWAX_SHOP_ID is missing',
      'HOTWAX_PRODUCT_STORE_ID is missing',
      'SHOPIFY_SHOP must look like <name>.myshopify.com',
      'SHOPIFY_ADMIN_TOKEN is missing',
      'HOTWAX_API_TOKEN is missing: set it, or HOTWAX_USERNAME and HOTWAX_PASSWORD',
    ])
      expect(stderr).toContain(problem);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

describe('npm run cli -- status', () => {
  let aws: TestAws;
  const now = Date.now();
  const record = (overrides: Partial<OrderRecord>): OrderRecord => ({
    ...webOrderFacts(now - 3 * hour, { shop, orderId: String(nextOrderId()), orderName: '#2000' }),
    state: 'in_sync',
    stateSince: now - 2 * hour,
    expectation: 'created',
    repairAttempts: 0,
    version: 0,
    firstSeenAt: now - 3 * hour,
    source: 'webhook',
    ...overrides,
  });
  const blocked = record({
    orderName: '#2001',
    state: 'blocked_on_data',
    finding: {
      title: 'Phone number missing or invalid',
      explanation: 'HotWax could not import this order.',
      fix: 'Add the phone number in Shopify.',
    },
  });
  const inSync = record({ orderName: '#2002' });
  const verifying = record({ orderName: '#2003', state: 'reimport_requested', nextCheckAt: now + 60_000 });

  beforeAll(async () => {
    aws = await createTestAws();
    const store = createOrderRepository({ client: aws.doc, tableName: aws.tableName });
    for (const order of [blocked, inSync, verifying])
      await store.save(order, { expectedVersion: undefined, events: [], now });
  });
  afterAll(() => aws?.destroy());

  it('counts orders per state and lists the ones not in sync; exit 1 while one needs a person', async () => {
    const { code, stdout } = await runCli(['status'], {
      TABLE_NAME: aws.tableName,
      DYNAMODB_ENDPOINT: aws.dynamoEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });

    expect(code).toBe(1);
    expect(stdout).toMatch(/blocked_on_data\s+1 {2}← needs a person/);
    expect(stdout).toMatch(/in_sync\s+1\n/);
    expect(stdout).toMatch(/reimport_requested\s+1\n/);
    expect(stdout).toMatch(
      new RegExp(
        `blocked_on_data\\s+#2001\\s+${blocked.orderId}\\s+\\S+ \\(2h \\d+m\\)\\s+Phone number missing`,
      ),
    );
    expect(stdout).toContain(verifying.orderId);
    expect(stdout).not.toContain(inSync.orderId);
    expect(stdout).toContain('1 order needs a person');
  });

  it('reads the table of a running npm start from .data/endpoints.json; one healthy state exits 0', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'order-sync-cli-local-'));
    try {
      mkdirSync(join(directory, '.data'));
      writeFileSync(
        join(directory, '.data/endpoints.json'),
        JSON.stringify({ dynamoEndpoint: aws.dynamoEndpoint, tableName: aws.tableName, url: 'http://x' }),
      );

      const { code, stdout } = await runCli(['status', '--state', 'in_sync', '--json'], {}, directory);

      expect(code).toBe(0);
      const status = JSON.parse(stdout);
      expect(status).toMatchObject({ table: aws.tableName, counts: { in_sync: 1 }, needPerson: 0 });
      expect(status.orders).toEqual([expect.objectContaining({ orderId: inSync.orderId, state: 'in_sync' })]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
