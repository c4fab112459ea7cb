import { describe, expect, it } from 'vitest';
import { fakeShop, fakeShopify } from '../../../test/support/fake-ports.js';
import { shopDirectory } from '../../domain/shop-directory.js';
import { runDoctor } from './doctor.js';
import type { DoctorDeps, DoctorProbes, LocalProbe } from './doctor-ports.js';

const now = Date.parse('2026-12-01T12:00:00Z');
const callbackUrl = 'https://monitor.example.com/webhooks/shopify';

const probes = (
  overrides: Partial<DoctorProbes['shopify']> = {},
  /** null: WEBHOOK_CALLBACK_URL unset */
  callback: string | null = callbackUrl,
) =>
  ({
    hotwax: {
      productStoreId: 'STORE',
      discover: async () => ({ backend: 'ofbiz', apiUrl: 'https://acme.hotwax.io/api', how: 'discovered' }),
      authenticate: async () => 'HOTWAX_API_TOKEN is accepted.',
      importConfigs: async () => [{ configId: 'CRT_SHOPIFY_ORDER', found: true }],
    },
    shopify: {
      apiVersion: '2026-10',
      installation: async () => ({
        accessScopes: ['read_orders'],
        apiVersions: [
          { handle: '2026-07', supported: true },
          { handle: '2026-10', supported: true },
          { handle: 'unstable', supported: false },
        ],
        servedVersion: '2026-10',
      }),
      ...overrides,
    },
    webhookCallbackUrl: callback ?? undefined,
  }) satisfies DoctorProbes;

const shop = fakeShop('acme.myshopify.com', {
  shopify: fakeShopify({
    listOrdersUpdated: async () => ({ orders: [], endCursor: null, hasNextPage: false, cost: null }),
    listWebhookSubscriptions: async () => [
      { id: '1', topic: 'ORDERS_CREATE', callbackUrl },
      { id: '2', topic: 'ORDERS_FULFILLED', callbackUrl },
    ],
  }),
});

const machine = (overrides: Partial<LocalProbe> = {}): LocalProbe => ({
  port: 3000,
  dataDir: '/home/ada/monitor/.data',
  javaMajorVersion: async () => 21,
  isPortFree: async () => true,
  dataDirProblem: async () => undefined,
  ...overrides,
});

const deps = (overrides: Partial<DoctorDeps> = {}, shopProbes: DoctorProbes = probes()): DoctorDeps => ({
  configurationProblems: [],
  configurationSource: '.env',
  shops: shopDirectory([shop]),
  probesFor: () => shopProbes,
  slack: { kind: 'console' },
  explain: (error) => ({ status: 'attention', detail: String(error) }),
  ...overrides,
});

const line = async (id: string, given: DoctorDeps) =>
  (await runDoctor(given, { now })).checks.find((check) => check.id === id);

describe('doctor', () => {
  it('passes a good configuration with Slack skipped (exit 0)', async () => {
    const report = await runDoctor(deps({ local: machine() }), { now });
    expect(report.checks.filter((check) => check.status !== 'ok').map((check) => check.id)).toEqual([
      'slack',
    ]);
    expect(report).toMatchObject({
      exitCode: 0,
      summary: expect.stringMatching(/^All \d+ checks passed \(1 skipped\)\.$/),
    });
  });

  it('asks nothing of the shops when the configuration does not parse (exit 2)', async () => {
    // What the wiring gives without a configuration: no shop, no Slack.
    const { slack: _slack, ...unconfigured } = deps({
      configurationProblems: [
        'SHOPIFY_SHOP must look like <name>.myshopify.com',
        'HOTWAX_SHOP_ID is missing',
      ],
      shops: shopDirectory([]),
      local: machine(),
    });
    const report = await runDoctor(unconfigured, { now });
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ['config', 'config'],
      ['local.java', 'ok'],
      ['local.port', 'ok'],
      ['local.data-dir', 'ok'],
    ]);
    expect(report.checks[0]?.detail).toBe(
      '2 problems (from .env): SHOPIFY_SHOP must look like <name>.myshopify.com; HOTWAX_SHOP_ID is missing',
    );
    expect(report.exitCode).toBe(2);
  });

  it.each([
    [
      'Java missing',
      machine({ javaMajorVersion: async () => undefined }),
      'local.java',
      /not found: install it/,
    ],
    [
      'Java 11',
      machine({ javaMajorVersion: async () => 11 }),
      'local.java',
      /Java 11 found; DynamoDB Local needs Java 17\+/,
    ],
    [
      'the port taken',
      machine({ isPortFree: async () => false }),
      'local.port',
      /PORT 3000 is in use.*set PORT/,
    ],
    [
      'the data dir read-only',
      machine({ dataDirProblem: async () => 'no write permission' }),
      'local.data-dir',
      /not writable: no write permission/,
    ],
  ] as const)('names %s on this machine (exit 1)', async (_fault, local, id, words) => {
    const report = await runDoctor(deps({ local }), { now });
    expect(report.checks.find((check) => check.id === id)).toMatchObject({
      status: 'attention',
      detail: expect.stringMatching(words),
    });
    expect(report.exitCode).toBe(1);
  });

  it("takes the running npm start's port for its own", async () => {
    const local = machine({
      port: 3481,
      runningMonitorUrl: 'http://127.0.0.1:3481',
      isPortFree: async () => false,
    });
    expect((await line('local.port', deps({ local })))?.status).toBe('ok');
  });

  it.each([
    [
      'a release candidate',
      { handle: '2026-10', supported: false },
      '2026-10',
      'attention',
      /not a supported stable version yet.*latest stable: 2026-07/,
    ],
    [
      'a version Shopify no longer serves',
      { handle: '2026-07', supported: true },
      '2026-07',
      'config',
      /answers with 2026-07 instead/,
    ],
  ] as const)('judges %s of SHOPIFY_API_VERSION', async (_case, listed, served, status, words) => {
    const shopProbes = probes({
      installation: async () => ({
        accessScopes: ['read_orders'],
        apiVersions: [{ handle: '2026-07', supported: true }, listed],
        servedVersion: served,
      }),
    });
    expect(await line('shopify.api-version', deps({}, shopProbes))).toMatchObject({
      status,
      detail: expect.stringMatching(words),
    });
  });

  it('accepts write_orders for read_orders, and says it is more than needed', async () => {
    const shopProbes = probes({
      installation: async () => ({
        accessScopes: ['write_orders'],
        apiVersions: [{ handle: '2026-10', supported: true }],
        servedVersion: '2026-10',
      }),
    });
    expect(await line('shopify.scopes', deps({}, shopProbes))).toMatchObject({
      status: 'ok',
      detail: 'read_orders granted. More than needed: write_orders (the monitor never writes).',
    });
  });

  it('asks for WEBHOOK_CALLBACK_URL when it is not set', async () => {
    const check = await line('shopify.subscription.orders/create', deps({}, probes({}, null)));
    expect(check).toMatchObject({
      status: 'attention',
      detail: expect.stringMatching(/WEBHOOK_CALLBACK_URL is not set/),
    });
  });
});
