import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Routes, startHttpServer } from '../../local/http-server.js';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import { createTimelineLinks } from '../../shared/adapters/links/timeline-links.js';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { setEnv } from '../support/backends.js';
import { webOrderFacts } from '../support/order-fixtures.js';

/**
 * The timeline page in a real headless browser: Debian's Chromium driven by playwright-core (never a downloaded
 * browser). A developer without Chromium is told what to install and the test is skipped; in CI (CI=true) a missing
 * Chromium fails the run, and .ci/run installs it. Screenshots are kept in test-output/ (ignored by git).
 */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
const outputDir = join(import.meta.dirname, '..', '..', 'test-output');
const key = 'browser-test-timeline-link-key-0123456789';
const shop = 'acme-browser.myshopify.com';
const orderId = '5000123450001';
const day = 86_400_000;

if (!haveChromium) {
  const message =
    `\n!!! The timeline page's browser test needs Chromium at ${executablePath}.\n` +
    '!!! Install it with `sudo apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium binary.\n';
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`${message}!!! Skipping the browser test on this machine.\n\n`);
}

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

let aws: TestAws;
let server: Server & { url: string };
let context: BrowserContext;
let profile: string;
const links = createTimelineLinks({ key, baseUrl: 'http://placeholder', ttlMs: 7 * day });
const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${server.url}${parsed.pathname}${parsed.search}`;
};

const screenshot = async (page: import('playwright-core').Page, name: string) => {
  const file = join(outputDir, `timeline-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`screenshot: ${file}\n`);
};

describe.skipIf(!haveChromium)('the timeline page in headless Chromium', () => {
  beforeAll(async () => {
    aws = await createTestAws();
    const now = Date.now();
    const record: OrderRecord = {
      ...webOrderFacts(now - 3 * 3_600_000, {
        shop,
        orderId,
        orderName: '#1003<script>window.pwned=1</script>',
      }),
      state: 'blocked_on_data',
      stateSince: now - 2 * 3_600_000,
      expectation: 'created',
      repairAttempts: 0,
      version: 0,
      firstSeenAt: now - 3 * 3_600_000,
      source: 'webhook',
      finding: {
        title: 'Phone number missing or invalid',
        explanation: 'HotWax could not import the order: its shipping address has no phone number.',
        fix: 'In Shopify admin, add a phone number to the shipping address.\nThe monitor re-imports the order once it changed.',
        rawError: 'Phone number is missing in the shipping address <img src=x onerror="window.pwned=2">',
        mdmLogId: '10020',
      },
      hotwax: {
        orderId: 'HC10007',
        statusId: 'ORDER_CREATED',
        versions: 1,
        seenAt: now,
        url: 'https://acme.hotwax.io/commerce/control/ViewOrder?orderId=HC10007',
      },
    };
    await createOrderRepository({ client: aws.doc, tableName: aws.tableName }).save(record, {
      expectedVersion: undefined,
      now,
      events: [
        {
          at: now - 3 * 3_600_000,
          type: 'webhook.orders/create',
          state: 'pending_check',
          message: 'Shopify orders/create webhook received; check scheduled.',
        },
        {
          at: now - 2 * 3_600_000,
          type: 'check.blocked',
          state: 'blocked_on_data',
          message: 'Not in HotWax: the import failed — Phone number missing or invalid.',
        },
        {
          at: now - 3_600_000,
          type: 'person.mute',
          state: 'blocked_on_data',
          message: 'Alerts muted by Slack user U0PERSON; the checks go on.',
        },
      ],
    });
    const routes: Routes = {
      webhook: async () => ({ statusCode: 404 }),
      api: async () => ({ statusCode: 503 }),
    };
    server = await startHttpServer(routes, 0);
    setEnv({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME: aws.tableName,
      DYNAMODB_ENDPOINT: aws.dynamoEndpoint,
      TIMELINE_LINK_KEY: key,
      PUBLIC_BASE_URL: server.url,
    });
    vi.resetModules();
    routes.api = (await import('../../functions/api/handler.js')).handler as unknown as HttpHandler;

    mkdirSync(outputDir, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'timeline-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      // A phone: the page is read from Slack's mobile app as often as from a desk.
      viewport: { width: 390, height: 844 },
      javaScriptEnabled: true,
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    server?.close();
    aws?.destroy();
  });

  it('opens a signed link: the state, the finding, the links and the timeline, readable on a phone', async () => {
    const page = await context.newPage();
    const response = await page.goto(pathOf(links.url({ shop, orderId }, Date.now())));
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toContain('Blocked on data in Shopify');
    expect(await page.locator('[data-state]').getAttribute('data-state')).toBe('blocked_on_data');
    expect(await page.locator('h1').textContent()).toBe('Order #1003<script>window.pwned=1</script>');
    const events = await page.locator('#timeline ~ ol li').allInnerTexts();
    expect(events).toHaveLength(3);
    expect(events[0]).toContain('Alerts muted by Slack user U0PERSON');
    expect(events[2]).toContain('orders/create webhook received');
    // The raw error is shown as text, reduced to the words that name the failure (no record values, no markup).
    const rawError = await page.locator('pre').textContent();
    expect(rawError).toContain('Phone number is missing in the shipping address');
    expect(rawError).not.toContain('pwned');
    expect(await page.locator('pre img, img[onerror]').count()).toBe(0);
    // Page scripts are strings here: the project's types are Node's, not the DOM's.
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    const hrefs = await page
      .locator('nav a')
      .evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual([
      `https://admin.shopify.com/store/acme-browser/orders/${orderId}`,
      'https://acme.hotwax.io/commerce/control/ViewOrder?orderId=HC10007',
    ]);
    // Nothing wider than the phone's screen.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, 'valid');
    await page.close();
  });

  it.each([
    ['expired', () => links.url({ shop, orderId }, Date.now() - 8 * day), 'This link has expired.'],
    [
      'tampered',
      () => {
        const url = links.url({ shop, orderId }, Date.now());
        return url.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
      },
      'This link is not valid.',
    ],
    [
      'signed for another order',
      () => links.url({ shop, orderId: '5000123450002' }, Date.now()).replace('5000123450002', orderId),
      'This link is not valid.',
    ],
  ])('refuses a link that is %s with 403 and shows nothing of the order', async (name, link, heading) => {
    const page = await context.newPage();
    const response = await page.goto(pathOf(link()));
    expect(response?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe(heading);
    const text = await page.locator('body').textContent();
    expect(text).not.toContain('#1003');
    expect(text).not.toContain('Phone');
    await screenshot(page, name.replaceAll(' ', '-'));
    await page.close();
  });
});
