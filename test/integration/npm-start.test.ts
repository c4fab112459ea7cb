import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../../sim/shopify/order-payload.js';
import { deliverWebhook } from '../../sim/shopify/sign-webhook.js';

/**
 * `npm start` as a newcomer and an operator run it: a child process, driven only through its HTTP routes and its
 * terminal output.
 */
const repo = join(import.meta.dirname, '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');

/** The environment of a fresh machine: nothing about HotWax, Shopify or Slack. */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !/^(HOTWAX_|SHOPIFY_|SLACK_|TABLE_NAME|CHECK_QUEUE|NOTIFY_QUEUE|QUARANTINE|DYNAMODB_|SQS_|S3_|POWERTOOLS_)/.test(
          key,
        ),
    ),
  );

interface Running {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  // tsx runs the monitor in a child process, which runs DynamoDB Local: end the whole group, not just tsx.
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

const start = (env: NodeJS.ProcessEnv): Running => {
  const child = spawn(tsx, ['local/start.ts'], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = pattern.exec(output);
      if (match) return match;
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`did not see ${pattern} in:\n${output}`);
  };
  return { child, output: () => output, waitFor, exited };
};

const getJson = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('npm start', () => {
  it('plays the sandbox story with nothing configured, every order ending where the runbook says', async () => {
    const run = start({ ...cleanEnv(), PORT: '0' });
    const [, url] = await run.waitFor(/Monitor listening on (http:\/\/[\d.:]+)/, 60_000);
    expect((await getJson(`${url}/health`)).body).toMatchObject({ status: 'ok' });

    await run.waitFor(/Sandbox story complete/, 150_000);
    const summary = [...run.output().matchAll(/^ {2}(#\d+) {2}(\d+) {2}(\w+)/gm)];
    expect(summary.length).toBe(8);
    for (const [, name, orderId, expected] of summary) {
      const { status, body } = await getJson(`${url}/orders/${orderId}`);
      expect(status).toBe(200);
      expect({ name: body.orderName, state: body.state }).toEqual({ name, state: expected });
      expect((body.timeline as unknown[]).length).toBeGreaterThan(1);
    }
    // Slack is not configured: the messages people would get are printed instead.
    expect(run.output()).toMatch(/could not be repaired automatically/);
    // Which HotWax backend the functions found, said once.
    expect(run.output().match(/^HotWax backend: .*$/gm)).toEqual([
      expect.stringMatching(
        /^HotWax backend: ofbiz at http:\/\/127\.0\.0\.1:\d+\/api \(discovered an OFBiz tenant/,
      ),
    ]);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/Stopped\./);
  });

  it('plays the sandbox story on a Maarg tenant with HOTWAX_BACKEND=maarg, its branches as Maarg can', async () => {
    const run = start({ ...cleanEnv(), PORT: '0', HOTWAX_BACKEND: 'maarg' });
    const [, url] = await run.waitFor(/Monitor listening on (http:\/\/[\d.:]+)/, 60_000);

    await run.waitFor(/Sandbox story complete/, 150_000);
    const summary = [...run.output().matchAll(/^ {2}(#\d+) {2}(\d+) {2}(\w+) +(.*)$/gm)];
    expect(summary.length).toBe(8);
    for (const [, name, orderId, expected] of summary) {
      const { body } = await getJson(`${url}/orders/${orderId}`);
      expect({ name: body.orderName, state: body.state }).toEqual({ name, state: expected });
    }
    const output = run.output();
    expect(output.match(/^HotWax backend: .*$/gm)).toEqual([
      expect.stringMatching(/^HotWax backend: maarg at http:\/\/127\.0\.0\.1:\d+\/rest\/s1 /),
    ]);
    // No refresh on Maarg: the stuck POS order is re-imported and updated in place; approval is a store setting.
    const stuckPos = summary.find(([, name]) => name === '#1004');
    expect(stuckPos?.[4]).toMatch(/re-imported, updated in place/);
    const { body: pos } = await getJson(`${url}/orders/${stuckPos?.[2]}`);
    const events = pos.timeline as Array<{ type: string; message: string }>;
    expect(events.map((event) => event.type)).toContain('repair.reimport');
    expect(events.map((event) => event.type)).not.toContain('repair.refresh');
    expect(events.at(-1)?.message).toMatch(/Re-import verified: HotWax order \w+ is ORDER_COMPLETED/);
    expect(output).toMatch(/"Approve imported orders" \(autoApproveOrder\)/);
    expect(output).not.toMatch(/JOB_IMP_ORD|Refresh order/);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('runs against a HotWax and Shopify configured by environment variables only', async () => {
    const hotwax = await startHotwaxSim({ importDelayMs: 100 });
    const shopify = await startShopifySim({ shop: 'configured.myshopify.com' });
    const dataDir = mkdtempSync(join(tmpdir(), 'osm-data-'));
    const secret = 'shpss_configured';
    try {
      const { HOTWAX_IMPORT_ORDER_SERVICE: _perOrder, ...hotwaxEnv } = hotwax.env();
      const run = start({
        ...cleanEnv(),
        ...hotwaxEnv,
        PORT: '0',
        LOCAL_DATA_DIR: dataDir,
        SHOPIFY_SHOP: shopify.shop,
        SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
        SHOPIFY_ADMIN_URL: shopify.url,
        SHOPIFY_API_VERSION: shopify.apiVersion,
        SHOPIFY_WEBHOOK_SECRET: secret,
        CHECK_DELAY_SECONDS: '1',
        VERIFY_DELAY_SECONDS: '1',
        IMPORT_JOB_COOLDOWN_SECONDS: '1',
      });
      const [, url] = await run.waitFor(/Monitor listening on (http:\/\/[\d.:]+)/, 60_000);
      expect(run.output()).toMatch(/Using the HotWax at http/);

      const healthy = nextOrderId();
      const missing = nextOrderId();
      hotwax.addOrder({ externalId: String(healthy), statusId: 'ORDER_APPROVED' });
      hotwax.queueShopifyOrder({ shopifyOrderId: String(missing), importAs: 'ORDER_APPROVED' });
      for (const id of [healthy, missing]) {
        const payload = buildOrderPayload({ id });
        await shopify.addOrder(payload);
        const body = JSON.stringify(payload);
        const response = await deliverWebhook(`${url}/webhooks/shopify`, {
          topic: 'orders/create',
          shop: shopify.shop,
          body,
          secret,
        });
        expect(response.status).toBe(200);
      }
      const forged = await deliverWebhook(`${url}/webhooks/shopify`, {
        topic: 'orders/create',
        shop: shopify.shop,
        body: JSON.stringify(buildOrderPayload()),
        secret: 'wrong',
      });
      expect(forged.status).toBe(401);

      for (const id of [healthy, missing]) {
        const deadline = Date.now() + 45_000;
        let state: unknown;
        while (Date.now() < deadline && state !== 'in_sync') {
          state = (await getJson(`${url}/orders/${id}`)).body.state;
          if (state !== 'in_sync') await new Promise((resolve) => setTimeout(resolve, 300));
        }
        expect(state).toBe('in_sync');
      }
      expect(hotwax.callCount('scheduleService')).toBe(1);
      expect((await getJson(`${url}/orders/123`)).status).toBe(404);
      expect((await getJson(`${url}/orders/not-a-number`)).status).toBe(400);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
    } finally {
      await hotwax.stop();
      await shopify.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('lists every configuration problem at once', async () => {
    const run = start({
      ...cleanEnv(),
      HOTWAX_BASE_URL: 'not a url',
      SHOPIFY_SHOP: 'acme.com',
      SHOPIFY_WEBHOOK_SECRET: 'x',
    });
    expect(await run.exited).toBe(1);
    const output = run.output();
    for (const problem of [
      'HOTWAX_BASE_URL',
      'SHOPIFY_SHOP',
      'SHOPIFY_ADMIN_TOKEN',
      'HOTWAX_SHOP_ID',
      'HOTWAX_API_TOKEN',
    ]) {
      expect(output).toContain(problem);
    }
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('says in one line what to install when Java is missing', async () => {
    const run = start({ ...cleanEnv(), PATH: dirname(process.execPath) });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toMatch(/^Java 17\+ is required for DynamoDB Local: install it/);
    expect(run.output().trim().split('\n')).toHaveLength(1);
  });
});
