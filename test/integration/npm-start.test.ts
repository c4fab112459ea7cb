import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
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
  /** every process holding its output is gone (npm exits on Ctrl-C before the monitor has finished stopping) */
  closed: Promise<void>;
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

/** `npm start` as a person types it, or tsx on local/start.ts in the repository (the older tests). */
const start = (env: NodeJS.ProcessEnv, how: { npmIn?: string } = {}): Running => {
  const child = how.npmIn
    ? spawn('npm', ['start'], { cwd: how.npmIn, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(tsx, ['local/start.ts'], {
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
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
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
  return { child, output: () => output, waitFor, exited, closed };
};

/**
 * The processes of a process group still running, once the group has had up to 10 s to exit (tsx's esbuild service
 * leaves a zombie here, which is not running: a machine whose init reaps zombies has none).
 */
const aliveInGroup = async (group: number): Promise<string[]> => {
  const alive = () =>
    spawnSync('ps', ['-o', 'stat=,args=', '-g', String(group)], { encoding: 'utf8' })
      .stdout.split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('Z'));
  const deadline = Date.now() + 10_000;
  while (alive().length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  return alive();
};

/** Ctrl-C in a terminal: SIGINT to the whole foreground process group (npm, tsx, the monitor, DynamoDB Local). */
const pressCtrlC = (run: Running) => {
  if (run.child.pid) process.kill(-run.child.pid, 'SIGINT');
};

/**
 * A fresh checkout as a newcomer has it after `npm install`: the project's files (linked, so nothing is copied and
 * the repository is never written) and no `.env` or `.data/` of its own.
 */
const freshCheckout = (): string => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'osm-checkout-')));
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'node_modules',
    'local',
    'shared',
    'functions',
    'sim',
  ])
    symlinkSync(join(repo, entry), join(dir, entry));
  return dir;
};

const dotenv = (values: Record<string, string>) =>
  `${Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;

/** The environment of a fresh terminal: nothing of this test run (npm's own variables included) configures anything. */
const freshEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(cleanEnv()).filter(
      ([key]) =>
        !/^(npm_|INIT_CWD$|LOCAL_DATA_DIR$|PORT$|LOG_LEVEL$|SANDBOX$|WEBHOOK_CALLBACK_URL$)/.test(key),
    ),
  );

/** `npm run cli -- <args>` in `dir`, as the README shows it. */
const runNpmCli = (dir: string, env: NodeJS.ProcessEnv, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'cli', '--', ...args], { cwd: dir, env });
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

const getJson = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('npm start', () => {
  it("plays the sandbox story with nothing configured, and the README's CLI commands work against it", async () => {
    const checkout = freshCheckout();
    try {
      const env = freshEnv();
      const run = start({ ...env, PORT: '0' }, { npmIn: checkout });
      const [, url] = await run.waitFor(/Monitor listening on (http:\/\/[\d.:]+)/, 90_000);
      expect((await getJson(`${url}/health`)).body).toMatchObject({ status: 'ok' });

      await run.waitFor(/Sandbox story complete/, 150_000);
      const summary = [...run.output().matchAll(/^ {2}(#\d+) {2}(\d+) {2}(\w+)/gm)];
      // Two shops: every branch in the outfitters' shop, three orders of the same names in the outlet's.
      expect(summary.length).toBe(11);
      for (const [, name, orderId, expected] of summary) {
        const { status, body } = await getJson(`${url}/orders/${orderId}`);
        expect(status).toBe(200);
        expect({ name: body.orderName, state: body.state }).toEqual({ name, state: expected });
        expect((body.timeline as unknown[]).length).toBeGreaterThan(1);
      }
      // Slack is not configured: the messages people would get are printed instead.
      expect(run.output()).toMatch(/could not be repaired automatically/);
      // Each story's timeline link opens its page; a tampered one is refused.
      const links = [...run.output().matchAll(/^ +timeline: (http\S+)$/gm)].map(
        (match) => match[1] as string,
      );
      expect(links).toHaveLength(11);
      const page = await fetch(links[2] as string);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Order #1003');
      expect((await fetch(`${links[2]}x`)).status).toBe(403);
      // /ordersync, signed as Slack signs with the sandbox's published signing secret.
      const command = spawnSync(
        join(repo, 'node_modules', '.bin', 'tsx'),
        ['local/slack-command.ts', '#1005'],
        {
          cwd: checkout,
          env,
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(command.status).toBe(0);
      expect(command.stdout).toContain('/ordersync #1005 → HTTP 200');
      expect(command.stdout).toContain('Awaiting approval');
      expect(command.stdout).toContain('[ Re-check now ]');
      // Which HotWax backend the functions found, said once.
      expect(run.output().match(/^HotWax backend: .*$/gm)).toEqual([
        expect.stringMatching(
          /^HotWax backend: ofbiz at http:\/\/127\.0\.0\.1:\d+\/api \(discovered an OFBiz tenant/,
        ),
      ]);

      // The README's next step, in another terminal of the same checkout: the CLI finds the sandbox's HotWax and
      // Shopify in .data/endpoints.json, as it would find a real store's in .env.
      const idOf = (orderName: string) => summary.find(([, name]) => name === orderName)?.[2] ?? '';
      const cli = (...args: string[]) => runNpmCli(checkout, env, args);
      const healthy = await cli('diagnose', idOf('#1001'), '--json');
      expect(healthy.stderr).toContain('Using the sandbox of the running npm start');
      expect(healthy.code).toBe(0);
      expect(JSON.parse(healthy.stdout)).toMatchObject({ healthy: true, state: 'in_sync' });
      const held = await cli('diagnose', idOf('#1005'));
      expect(held.code).toBe(1);
      expect(held.stdout).toContain('awaiting_approval');
      const broken = await cli('diagnose', idOf('#1006'), '--repair', '--timeout', '5');
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/Repair\s+requested: .*New Orders job[\s\S]*NOT verified/);
      const sweep = await cli('sweep', '--since', '1h', '--json');
      expect(sweep.code).toBe(0);
      expect(JSON.parse(sweep.stdout)).toMatchObject({
        shops: [
          { shop: 'sandbox-outfitters.myshopify.com', completed: true },
          { shop: 'sandbox-outlet.myshopify.com', completed: true },
        ],
        failed: [],
      });
      const outletOnly = await cli(
        'sweep',
        '--since',
        '1h',
        '--shop',
        'sandbox-outlet.myshopify.com',
        '--json',
      );
      expect(JSON.parse(outletOnly.stdout).shops).toEqual([
        expect.objectContaining({ shop: 'sandbox-outlet.myshopify.com' }),
      ]);
      const outletStatus = await cli('status', '--shop', 'sandbox-outlet.myshopify.com', '--json');
      expect(JSON.parse(outletStatus.stdout).counts.in_sync).toBe(3);
      const doctor = await cli('doctor', '--json');
      const report = JSON.parse(doctor.stdout) as {
        exitCode: number;
        checks: Array<{ id: string; status: string }>;
      };
      expect(report.checks.filter((check) => !['ok', 'skipped'].includes(check.status))).toEqual([]);
      expect(doctor.code).toBe(0);
      // A real configuration always wins over the sandbox's.
      const real = await runNpmCli(checkout, { ...env, HOTWAX_BASE_URL: 'https://acme.hotwax.io' }, [
        'doctor',
        '--json',
      ]);
      expect(real.code).toBe(2);
      expect(real.stderr).not.toContain('Using the sandbox');

      pressCtrlC(run);
      await run.closed;
      expect(run.output()).toMatch(/Stopped\./);
      expect(existsSync(join(checkout, '.data', 'endpoints.json'))).toBe(false);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  }, 180_000);

  it('plays the sandbox story on a Maarg tenant with HOTWAX_BACKEND=maarg, its branches as Maarg can', async () => {
    const run = start({ ...cleanEnv(), PORT: '0', HOTWAX_BACKEND: 'maarg' });
    const [, url] = await run.waitFor(/Monitor listening on (http:\/\/[\d.:]+)/, 60_000);

    await run.waitFor(/Sandbox story complete/, 150_000);
    const summary = [...run.output().matchAll(/^ {2}(#\d+) {2}(\d+) {2}(\w+) +(.*)$/gm)];
    expect(summary.length).toBe(11);
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
  }, 180_000);

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
      const names: string[] = [];
      for (const id of [healthy, missing]) {
        const payload = buildOrderPayload({ id });
        names.push(String(payload.name));
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
      // The terminal tells each change as it is written: the healthy order found, the missing one repaired.
      const lines = run.output().split('\n');
      const linesOf = (name: string) => lines.filter((line) => line.includes(` ${name} `));
      expect(linesOf(names[0] ?? '')).toEqual([
        expect.stringMatching(/ pending_check +Shopify orders\/create webhook received/),
        expect.stringMatching(/ pending_check → in_sync +In HotWax as order /),
      ]);
      expect(linesOf(names[1] ?? '').at(-1)).toMatch(/ → in_sync +/);
      expect(linesOf(names[1] ?? '').length).toBeGreaterThan(2);
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

  it('runs from a .env in its working directory with every local default, and keeps a queued check across a restart', async () => {
    const hotwax = await startHotwaxSim({ importDelayMs: 100 });
    const shopify = await startShopifySim({ shop: 'real-store.myshopify.com' });
    const checkout = freshCheckout();
    const secret = 'shpss_real_store';
    try {
      // A person's .env for a real store, here pointed at the simulators: no LOCAL_DATA_DIR, no LOG_LEVEL.
      const { HOTWAX_IMPORT_ORDER_SERVICE: _perOrder, ...hotwaxEnv } = hotwax.env();
      writeFileSync(
        join(checkout, '.env'),
        dotenv({
          ...hotwaxEnv,
          SHOPIFY_SHOP: shopify.shop,
          SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
          SHOPIFY_ADMIN_URL: shopify.url,
          SHOPIFY_WEBHOOK_SECRET: secret,
          // A shared machine cannot promise port 3000; every other local setting keeps its default.
          PORT: '0',
          CHECK_DELAY_SECONDS: '8',
        }),
      );
      // Nothing of this test's own environment may configure the monitor: only the .env does.
      const env = freshEnv();
      const dataDir = join(checkout, '.data');

      const first = start(env, { npmIn: checkout });
      const [, url] = await first.waitFor(/Monitor listening on (http:\/\/[\d.:]+)/, 90_000);
      expect(first.output()).toContain(`Using the HotWax at ${hotwax.url}`);
      // The default data directory, made absolute: DynamoDB Local (which runs elsewhere) finds it.
      expect(first.output()).toContain(`data kept in ${dataDir}/`);
      expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(true);

      // The README's routes, and what they answer to the wrong questions.
      expect(await getJson(`${url}/health`)).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect((await getJson(`${url}/orders/123`)).status).toBe(404);
      expect((await getJson(`${url}/orders/not-a-number`)).status).toBe(400);
      expect((await getJson(`${url}/no-such-route`)).status).toBe(404);

      // Shopify tells the monitor about an order; its check is queued 8 s out, then Ctrl-C comes first.
      const id = nextOrderId();
      const payload = buildOrderPayload({ id });
      await shopify.addOrder(payload);
      const delivered = await deliverWebhook(`${url}/webhooks/shopify`, {
        topic: 'orders/create',
        shop: shopify.shop,
        body: JSON.stringify(payload),
        secret,
      });
      expect(delivered.status).toBe(200);
      expect((await getJson(`${url}/orders/${id}`)).body.state).toBe('pending_check');
      pressCtrlC(first);
      await first.closed;
      expect(first.output()).toMatch(/Ctrl-C: stopping[\s\S]*Stopped\./);
      expect(first.output()).not.toMatch(/npm start failed|ERR!/);
      expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(false);
      // The timeline link key is kept with the data, so links printed before a restart still open after it.
      expect(readdirSync(dataDir).sort()).toEqual(['dynamodb', 'sqs', 'timeline-link.key']);
      const linkKey = readFileSync(join(dataDir, 'timeline-link.key'), 'utf8');

      // HotWax imports the order while the monitor is down; the next start must still check it.
      hotwax.addOrder({ externalId: String(id), statusId: 'ORDER_APPROVED' });
      const second = start(env, { npmIn: checkout });
      const [, again] = await second.waitFor(/Monitor listening on (http:\/\/[\d.:]+)/, 90_000);
      const kept = await getJson(`${again}/orders/${id}`);
      expect(kept.status).toBe(200);
      const deadline = Date.now() + 60_000;
      let state = kept.body.state;
      while (state !== 'in_sync' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        state = (await getJson(`${again}/orders/${id}`)).body.state;
      }
      expect(state).toBe('in_sync');
      expect(hotwax.callCount('performFind')).toBeGreaterThan(0);
      pressCtrlC(second);
      await second.closed;
      expect(second.output()).toMatch(/Stopped\./);
      expect(readFileSync(join(dataDir, 'timeline-link.key'), 'utf8')).toBe(linkKey);
      // Everything it wrote is in the checkout's .data/, nothing beside it.
      expect(readdirSync(checkout).sort()).toEqual([
        '.data',
        '.env',
        'functions',
        'local',
        'node_modules',
        'package.json',
        'shared',
        'sim',
        'tsconfig.json',
      ]);
    } finally {
      await hotwax.stop();
      await shopify.stop();
      rmSync(checkout, { recursive: true, force: true });
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

  it('says in one line that its port is in use, and leaves nothing running', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const run = start({ ...freshEnv(), PORT: String(port) });
      expect(await run.exited).toBe(1);
      await run.closed;
      expect(run.output().trim()).toContain(`Port ${port} is in use: set PORT to a free port`);
      expect(run.output()).not.toMatch(/\n\s+at /);
      // No DynamoDB Local (nor anything else of the start) is left running in its process group behind the prompt.
      expect(await aliveInGroup(run.child.pid ?? 0)).toEqual([]);
    } finally {
      taken.close();
    }
  });

  it('says in one line what to install when Java is missing', async () => {
    const run = start({ ...cleanEnv(), PATH: dirname(process.execPath) });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toMatch(/^Java 17\+ is required for DynamoDB Local: install it/);
    expect(run.output().trim().split('\n')).toHaveLength(1);
  });
});
