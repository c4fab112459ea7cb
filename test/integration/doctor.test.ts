import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getOperationAST, parse } from 'graphql';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda-context.js';
import { doctorSchema, parseConfig } from '../../shared/config/config.js';
import { type DoctorReport, runDoctor } from '../../shared/use-cases/doctor/doctor.js';
import { createDoctorDeps } from '../../shared/wiring/doctor.js';
import { type HotwaxSim, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { type SlackSim, startSlackSim } from '../../sim/slack/slack-sim.js';

/**
 * `doctor` against the simulators: all green on both HotWax backends, then one fault at a time, each with its own
 * line and exit code. Every run is held to "read-only" by the simulators' call logs.
 */
const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(repo, 'node_modules/tsx/dist/cli.mjs');
const cli = join(repo, 'local/cli.ts');
const shop = 'acme-doctor.myshopify.com';
const callbackUrl = 'https://monitor.example.com/webhooks/shopify';
const channel = 'C0DOCTOR';

type Env = Record<string, string | undefined>;

let shopify: ShopifySim;
let slack: SlackSim;
let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'order-sync-doctor-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
beforeEach(async () => {
  [shopify, slack] = await Promise.all([
    startShopifySim({ shop }),
    startSlackSim({ channels: [channel, 'C0OTHER'], memberOf: [channel] }),
  ]);
  shopify.emitWebhooksTo({ url: callbackUrl, secret: 'shpss_doctor' });
});
afterEach(async () => {
  await Promise.all([shopify.stop(), slack.close()]);
});

const envFor = (hotwax: HotwaxSim, changes: Env = {}): Env => {
  const env: Env = {
    ...hotwax.env(),
    SHOPIFY_SHOP: shop,
    SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
    SHOPIFY_ADMIN_URL: shopify.url,
    SHOPIFY_API_VERSION: shopify.apiVersion,
    SHOPIFY_WEBHOOK_SECRET: 'shpss_doctor',
    WEBHOOK_CALLBACK_URL: callbackUrl,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_CHANNEL_ID: channel,
    SLACK_API_URL: slack.apiUrl,
    HOTWAX_TIMEOUT_MS: '3000',
    SHOPIFY_TIMEOUT_MS: '3000',
    ...changes,
  };
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
};

/** The doctor use case through the real wiring (the CLI's and the function's), in this process. */
const doctor = (env: Env): Promise<DoctorReport> =>
  runDoctor(
    createDoctorDeps(
      parseConfig(doctorSchema, env),
      { configurationSource: 'the test' },
      { logger: { warn() {} } },
    ),
    { now: Date.now() },
  );

/** The sim's long-lived token instead of its login. */
const tokenAuth = (hotwax: HotwaxSim): Env => ({
  ...hotwax.env('token'),
  HOTWAX_USERNAME: undefined,
  HOTWAX_PASSWORD: undefined,
});

const statusOf = (report: DoctorReport, id: string) => report.checks.find((check) => check.id === id);
const notOk = (report: DoctorReport) =>
  report.checks.filter((check) => check.status !== 'ok').map((check) => [check.id, check.status]);

/** Doctor never writes: only GETs (and logins) reach HotWax, only queries Shopify, nothing that posts reaches Slack. */
const expectReadOnly = (hotwax: HotwaxSim) => {
  const writes = hotwax.calls.filter(
    (call) => call.method !== 'GET' && !['login', 'admin/login'].includes(call.endpoint),
  );
  expect(writes.map((call) => `${call.method} ${call.endpoint}`)).toEqual([]);
  const operations = shopify
    .requests()
    .filter((request) => request.query)
    .map((request) => getOperationAST(parse(request.query ?? ''))?.operation);
  expect(operations.length).toBeGreaterThan(0);
  expect(operations.filter((operation) => operation !== 'query')).toEqual([]);
  expect(slack.requests.map((request) => request.path)).not.toContainEqual(
    expect.stringMatching(/chat\.|services/),
  );
  expect(slack.messages).toEqual([]);
};

describe.each(['ofbiz', 'maarg'] as const)('npm run cli -- doctor against a %s tenant', (backend) => {
  let hotwax: HotwaxSim;
  beforeAll(async () => {
    hotwax = await startHotwaxSim({ backend });
  });
  afterAll(() => hotwax.stop());
  beforeEach(() => hotwax.reset());

  it('passes every check of a good configuration, and writes nothing anywhere (exit 0)', async () => {
    const report = await doctor(envFor(hotwax));
    expect(notOk(report)).toEqual([]);
    expect(report.exitCode).toBe(0);
    const ids = report.checks.map((check) => check.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'config',
        'hotwax.backend',
        'hotwax.credentials',
        'hotwax.orders',
        'hotwax.import-configs',
        'hotwax.approval',
        'shopify.token',
        'shopify.api-version',
        'shopify.scopes',
        'shopify.orders',
        'shopify.subscription.orders/create',
        'shopify.subscription.orders/fulfilled',
        'slack.token',
        'slack.channel',
      ]),
    );
    // The import flows HotWax says to watch: the New Orders job on OFBiz, the consumer and the shop's fallback job on Maarg.
    expect(ids.filter((id) => id.startsWith('hotwax.flow.'))).toEqual(
      backend === 'ofbiz' ? ['hotwax.flow.new_orders_job'] : ['hotwax.flow.realtime', 'hotwax.flow.fallback'],
    );
    expect(statusOf(report, 'hotwax.backend')?.detail).toMatch(
      backend === 'ofbiz'
        ? /^OFBiz at http:\/\/127\.0\.0\.1:\d+\/api/
        : /^Maarg at http:\/\/127\.0\.0\.1:\d+\/rest\/s1/,
    );
    expect(
      report.checks.every(
        (check) => check.id === 'config' || check.id.startsWith('slack') || check.shop === shop,
      ),
    ).toBe(true);
    expectReadOnly(hotwax);
  });

  it('names a wrong HotWax password on its own line and skips what needs a login (exit 2)', async () => {
    const report = await doctor(envFor(hotwax, { HOTWAX_PASSWORD: 'not-the-password' }));
    expect(statusOf(report, 'hotwax.credentials')).toMatchObject({
      status: 'config',
      detail: expect.stringMatching(/refused the login.*HOTWAX_USERNAME and HOTWAX_PASSWORD/),
    });
    expect(notOk(report)).toEqual([
      ['hotwax.credentials', 'config'],
      ['hotwax.orders', 'skipped'],
      ['hotwax.import-flows', 'skipped'],
      ['hotwax.import-configs', 'skipped'],
      ['hotwax.approval', 'skipped'],
    ]);
    expect(report.exitCode).toBe(2);
    expectReadOnly(hotwax);
  });

  it('proves a long-lived API token on a read, and names a rejected one (exit 2)', async () => {
    const accepted = await doctor(envFor(hotwax, { ...tokenAuth(hotwax) }));
    expect(statusOf(accepted, 'hotwax.credentials')).toEqual(
      expect.objectContaining({ status: 'ok', detail: 'HOTWAX_API_TOKEN is accepted.' }),
    );
    const rejected = await doctor(envFor(hotwax, { ...tokenAuth(hotwax), HOTWAX_API_TOKEN: 'expired-jwt' }));
    expect(statusOf(rejected, 'hotwax.credentials')?.status).toBe('config');
    expect(rejected.exitCode).toBe(2);
  });

  it('says HOTWAX_BASE_URL is wrong when no HotWax answers there (exit 2)', async () => {
    const report = await doctor(envFor(hotwax, { HOTWAX_BASE_URL: shopify.url }));
    expect(statusOf(report, 'hotwax.backend')).toMatchObject({
      status: 'config',
      detail: expect.stringMatching(/answered neither.*check HOTWAX_BASE_URL/),
    });
    expect(report.exitCode).toBe(2);
  });

  it('says HotWax is unreachable when it is down (exit 3)', async () => {
    hotwax.down(true);
    const report = await doctor(envFor(hotwax));
    hotwax.down(false);
    expect(statusOf(report, 'hotwax.backend')).toMatchObject({
      status: 'unreachable',
      detail: expect.stringMatching(/HTTP 503.*HotWax is down or HOTWAX_BASE_URL is wrong/),
    });
    expect(notOk(report).filter(([, status]) => status !== 'skipped')).toEqual([
      ['hotwax.backend', 'unreachable'],
    ]);
    expect(report.exitCode).toBe(3);
  });

  it('reports the import configs and the import job HotWax lacks (exit 1)', async () => {
    const bare = await startHotwaxSim({
      backend,
      importConfigsDefined: false,
      newOrdersJobScheduled: false,
      fallbackJobDefined: false,
      autoApproveOrder: 'N',
      approvalJobScheduled: false,
    });
    try {
      const report = await doctor(envFor(bare));
      const flow = backend === 'ofbiz' ? 'hotwax.flow.new_orders_job' : 'hotwax.flow.fallback';
      expect(notOk(report)).toEqual([
        [flow, 'attention'],
        ['hotwax.import-configs', 'attention'],
        ['hotwax.approval', 'attention'],
      ]);
      expect(statusOf(report, flow)?.detail).toMatch(
        backend === 'ofbiz' ? /not scheduled/ : /no fallback order sync job/,
      );
      expect(statusOf(report, 'hotwax.import-configs')?.detail).toMatch(
        backend === 'ofbiz'
          ? /no MDM config CRT_SHOPIFY_ORDER/
          : /no Data Manager config SYNC_SHOPIFY_ORDER, UPDATE_SHOPIFY_ORDER/,
      );
      expect(statusOf(report, 'hotwax.approval')?.detail).toMatch(
        backend === 'ofbiz'
          ? /JOB_APR_ORD\) is not scheduled/
          : /autoApproveOrder of product store STORE is off/,
      );
      expect(report.exitCode).toBe(1);
      expectReadOnly(bare);
    } finally {
      await bare.stop();
    }
  });
});

describe('npm run cli -- doctor with Shopify and Slack faults', () => {
  let hotwax: HotwaxSim;
  beforeAll(async () => {
    hotwax = await startHotwaxSim();
  });
  afterAll(() => hotwax.stop());
  beforeEach(() => hotwax.reset());

  it('names a Shopify token Shopify does not know (exit 2)', async () => {
    const report = await doctor(envFor(hotwax, { SHOPIFY_ADMIN_TOKEN: 'shpat_revoked' }));
    expect(statusOf(report, 'shopify.token')).toMatchObject({
      status: 'config',
      detail: expect.stringMatching(/Check SHOPIFY_ADMIN_TOKEN/),
    });
    expect(notOk(report).filter(([id]) => String(id).startsWith('shopify.'))).toEqual([
      ['shopify.token', 'config'],
      ['shopify.api-version', 'skipped'],
      ['shopify.scopes', 'skipped'],
      ['shopify.orders', 'skipped'],
      ['shopify.subscription.orders/create', 'skipped'],
      ['shopify.subscription.orders/fulfilled', 'skipped'],
    ]);
    expect(report.exitCode).toBe(2);
  });

  it('names the missing read_orders scope (exit 1)', async () => {
    shopify.issueAccessToken('shpat_without_orders', { scopes: [] });
    const report = await doctor(envFor(hotwax, { SHOPIFY_ADMIN_TOKEN: 'shpat_without_orders' }));
    expect(statusOf(report, 'shopify.token')?.status).toBe('ok');
    expect(statusOf(report, 'shopify.scopes')).toMatchObject({
      status: 'attention',
      detail: expect.stringMatching(/lacks the access scope read_orders \(granted: none\).*reinstall/),
    });
    // The checks' own read of an order is refused the same way, in Shopify's words.
    expect(statusOf(report, 'shopify.orders')).toMatchObject({
      status: 'attention',
      detail: expect.stringMatching(/lacks the read_orders access scope/),
    });
    expect(notOk(report)).toEqual([
      ['shopify.scopes', 'attention'],
      ['shopify.orders', 'attention'],
    ]);
    expect(report.exitCode).toBe(1);
    expectReadOnly(hotwax);
  });

  it('names the missing orders/fulfilled subscription and the URL it must deliver to (exit 1)', async () => {
    const fulfilled = shopify.listWebhookSubscriptions().find((sub) => sub.topic === 'ORDERS_FULFILLED');
    shopify.deleteWebhookSubscription(fulfilled?.id ?? '');
    const report = await doctor(envFor(hotwax));
    expect(notOk(report)).toEqual([['shopify.subscription.orders/fulfilled', 'attention']]);
    expect(statusOf(report, 'shopify.subscription.orders/fulfilled')?.detail).toMatch(
      /no orders\/fulfilled subscription.*RESTORE_WEBHOOK_SUBSCRIPTIONS=true.*https:\/\/monitor\.example\.com\/webhooks\/shopify/,
    );
    expect(report.exitCode).toBe(1);
    expectReadOnly(hotwax);
  });

  it('says where a subscription delivers instead of WEBHOOK_CALLBACK_URL (exit 1)', async () => {
    const report = await doctor(
      envFor(hotwax, { WEBHOOK_CALLBACK_URL: 'https://new-monitor.example.com/webhooks/shopify' }),
    );
    expect(notOk(report)).toEqual([
      ['shopify.subscription.orders/create', 'attention'],
      ['shopify.subscription.orders/fulfilled', 'attention'],
    ]);
    expect(statusOf(report, 'shopify.subscription.orders/create')?.detail).toMatch(
      /delivers to https:\/\/monitor\.example\.com\/webhooks\/shopify, not to WEBHOOK_CALLBACK_URL/,
    );
  });

  it('refuses a Shopify API version Shopify no longer serves (exit 2)', async () => {
    const report = await doctor(envFor(hotwax, { SHOPIFY_API_VERSION: '2024-01' }));
    expect(statusOf(report, 'shopify.api-version')).toMatchObject({
      status: 'config',
      detail: expect.stringMatching(
        /2024-01 is not supported by Shopify: Shopify answers with \d{4}-\d{2} instead.*latest stable/,
      ),
    });
    expect(report.exitCode).toBe(2);
  });

  it('says a revoked Slack token is revoked, without posting (exit 2)', async () => {
    slack.revokeToken();
    const report = await doctor(envFor(hotwax));
    expect(statusOf(report, 'slack.token')).toMatchObject({
      status: 'config',
      detail: expect.stringMatching(/Slack refused SLACK_BOT_TOKEN \(token_revoked\)/),
    });
    expect(notOk(report)).toEqual([
      ['slack.token', 'config'],
      ['slack.channel', 'skipped'],
    ]);
    expect(report.exitCode).toBe(2);
    expectReadOnly(hotwax);
  });

  it('says the bot must be invited to a channel it is not in (exit 1)', async () => {
    const report = await doctor(envFor(hotwax, { SLACK_CHANNEL_ID: 'C0OTHER' }));
    expect(notOk(report)).toEqual([['slack.channel', 'attention']]);
    expect(statusOf(report, 'slack.channel')?.detail).toMatch(/not a member of #sim-c0other.*\/invite/);
    expect(slack.messages).toEqual([]);
  });

  it('judges an incoming webhook by its URL only, and skips an unconfigured Slack', async () => {
    const webhook = await doctor(
      envFor(hotwax, {
        SLACK_BOT_TOKEN: undefined,
        SLACK_CHANNEL_ID: undefined,
        SLACK_WEBHOOK_URL: slack.webhookUrl,
      }),
    );
    expect(statusOf(webhook, 'slack.webhook')?.status).toBe('ok');
    const malformed = await doctor(
      envFor(hotwax, {
        SLACK_BOT_TOKEN: undefined,
        SLACK_CHANNEL_ID: undefined,
        SLACK_WEBHOOK_URL: 'https://example.com/hook',
      }),
    );
    expect(statusOf(malformed, 'slack.webhook')?.status).toBe('config');
    const none = await doctor(envFor(hotwax, { SLACK_BOT_TOKEN: undefined, SLACK_CHANNEL_ID: undefined }));
    expect(statusOf(none, 'slack')?.status).toBe('skipped');
    expect(none.exitCode).toBe(0);
    expect(slack.requests).toEqual([]);
  });

  it('puts a configuration problem first when several faults meet (2 before 3 before 1)', async () => {
    hotwax.down(true);
    slack.revokeToken();
    const fulfilled = shopify.listWebhookSubscriptions().find((sub) => sub.topic === 'ORDERS_FULFILLED');
    shopify.deleteWebhookSubscription(fulfilled?.id ?? '');
    const report = await doctor(envFor(hotwax));
    hotwax.down(false);
    expect(report.exitCode).toBe(2);
    expect(report.summary).toBe(
      `1 configuration, 1 unreachable, 1 need attention; ${report.checks.filter((check) => check.status === 'ok').length} ok.`,
    );
  });
});

describe('the doctor function in AWS', () => {
  let hotwax: HotwaxSim;
  const saved = { ...process.env };
  beforeAll(async () => {
    hotwax = await startHotwaxSim({ backend: 'maarg' });
  });
  afterAll(() => hotwax.stop());
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('answers an invocation with the same report, from the function environment', async () => {
    Object.assign(process.env, envFor(hotwax));
    const { handler } = await import('../../functions/doctor/handler.js');
    const invoke = handler as unknown as (event: unknown, context: unknown) => Promise<DoctorReport>;
    const report = await invoke({}, lambdaContext('doctor'));
    expect(notOk(report)).toEqual([]);
    expect(report.exitCode).toBe(0);
    // No machine of its own to check in AWS.
    expect(report.checks.some((check) => check.id.startsWith('local.'))).toBe(false);
    expectReadOnly(hotwax);

    // A setting fixed after a failed run is read again on the next invocation: no cold start needed.
    process.env.SLACK_CHANNEL_ID = '';
    const broken = await invoke({}, lambdaContext('doctor'));
    expect(broken.exitCode).toBe(2);
    expect(broken.checks[0]).toMatchObject({ id: 'config', status: 'config' });
    expect(broken.checks[0]?.detail).toContain('SLACK_CHANNEL_ID is required with SLACK_BOT_TOKEN');
  });
});

const runCli = (args: string[], env: Env) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, cli, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
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

describe('npm run cli -- doctor, the command', () => {
  let hotwax: HotwaxSim;
  beforeAll(async () => {
    hotwax = await startHotwaxSim();
  });
  afterAll(() => hotwax.stop());

  it('prints one line per dependency, this machine included, and exits 0 when all is well', async () => {
    const { code, stdout } = await runCli(['doctor'], { ...envFor(hotwax), PORT: '0' });
    expect(code).toBe(0);
    for (const label of [
      'Configuration',
      'HotWax backend',
      'HotWax credentials',
      'HotWax New Orders job',
      'Shopify access scopes',
      'Shopify orders/fulfilled',
      'Slack channel',
      'Java',
      'Local port',
      'Local data directory',
    ]) {
      expect(stdout).toMatch(new RegExp(`^ {2}ok +${label} `, 'm'));
    }
    expect(stdout).toContain(`${shop}\n`);
    expect(stdout).toContain('This machine\n');
    expect(stdout).toMatch(/All \d+ checks passed\. \(exit 0\)/);
  });

  it('gives the same checks as JSON, with the exit code of the worst one', async () => {
    const { code, stdout } = await runCli(['doctor', '--json'], {
      ...envFor(hotwax),
      HOTWAX_PASSWORD: 'wrong',
      PORT: '0',
    });
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as DoctorReport;
    expect(report.exitCode).toBe(2);
    expect(report.checks.find((check) => check.id === 'hotwax.credentials')?.status).toBe('config');
    expect(report.checks.find((check) => check.id === 'local.java')?.status).toBe('ok');
  });

  it('lists every configuration problem at once, and still checks this machine (exit 2)', async () => {
    const { code, stdout } = await runCli(['doctor', '--json'], {
      HOTWAX_BASE_URL: 'not a url',
      SHOPIFY_SHOP: 'acme.com',
      PORT: '0',
    });
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as DoctorReport;
    const config = report.checks.find((check) => check.id === 'config');
    expect(config?.status).toBe('config');
    for (const name of [
      'HOTWAX_BASE_URL',
      'SHOPIFY_SHOP',
      'SHOPIFY_ADMIN_TOKEN',
      'HOTWAX_SHOP_ID',
      'SHOPIFY_WEBHOOK_SECRET',
    ])
      expect(config?.detail).toContain(name);
    expect(report.checks.map((check) => check.id)).toEqual([
      'config',
      'local.java',
      'local.port',
      'local.data-dir',
    ]);
  });
});
