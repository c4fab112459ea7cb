import type { Server } from 'node:http';
import { DeleteMessageCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Routes, startHttpServer } from '../../local/http-server.js';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import type { CheckMessage, OrderRecord } from '../../shared/domain/order-sync.js';
import type { Notification } from '../../shared/domain/ports.js';
import { type HotwaxSim, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../../sim/shopify/order-payload.js';
import { type SimMessage, type SlackSim, startSlackSim } from '../../sim/slack/slack-sim.js';
import { createSlackUser, type SlackUser } from '../../sim/slack/slack-user.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { monitorEnv, setEnv } from '../support/backends.js';
import { lambdaContext } from '../support/http-event.js';
import { webOrderFacts } from '../support/order-fixtures.js';

/**
 * Acting from Slack, end to end: the notifier posts an alert with buttons into the Slack simulator; a simulated
 * person clicks them, signed as Slack signs, against the real HTTP routes (local/http-server.ts and the handlers);
 * the checker and the reply worker run from the real queues; DynamoDB Local holds the records and timelines.
 */

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;
type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

const shop = 'acme-slack.myshopify.com';
const channel = 'C0NOTIFY';
const signingSecret = 'slack-signing-secret-for-tests';
const lead = 'U0LEAD';
const admin = 'U0ADMIN';
const person = 'U0PERSON';

let aws: TestAws;
let slack: SlackSim;
let hotwax: HotwaxSim;
let shopify: ShopifySim;
let server: Server & { url: string };
let queues: Record<'checks' | 'notify' | 'replies', string>;
let handlers: { checker: SqsHandler; notifier: SqsHandler; replies: SqsHandler };
const store = () => createOrderRepository({ client: aws.doc, tableName: aws.tableName });

const userAs = (userId: string, teamId = 'T000'): SlackUser =>
  createSlackUser({
    sim: slack,
    signingSecret,
    actionsUrl: `${server.url}/slack/actions`,
    commandsUrl: `${server.url}/slack/commands`,
    userId,
    teamId,
    channel,
  });

const sqsRecord = (message: Message): SQSRecord => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(Date.now()),
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:queue',
  awsRegion: 'us-east-1',
});

/** Everything on a queue now (waits up to `waitSeconds` for the first), deleted as read. */
const drain = async (queueUrl: string, waitSeconds = 1): Promise<Message[]> => {
  const all: Message[] = [];
  for (let round = 0; round < 5; round++) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: round === 0 ? waitSeconds : 0,
      }),
    );
    for (const message of Messages) {
      await aws.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    all.push(...Messages);
    if (Messages.length === 0) break;
  }
  return all;
};

/** Runs a queue's consumer once over what is on it, as the event source mapping would. */
const consume = async (queue: keyof typeof queues, handler: SqsHandler, waitSeconds = 1) => {
  const messages = await drain(queues[queue], waitSeconds);
  if (messages.length > 0) await handler({ Records: messages.map(sqsRecord) }, lambdaContext(queue));
  return messages;
};

const checksOnQueue = async (): Promise<CheckMessage[]> =>
  (await drain(queues.checks)).map((message) => JSON.parse(message.Body ?? '{}') as CheckMessage);

/** An order the monitor knows, in Shopify too; in HotWax only when `inHotwax`. */
const seedOrder = async (
  state: OrderRecord['state'],
  options: { inHotwax?: boolean; repairAttempts?: number } = {},
): Promise<OrderRecord> => {
  const id = nextOrderId();
  const orderName = `#${String(id).slice(-4)}`;
  await shopify.addOrder(buildOrderPayload({ id, name: orderName }) as never);
  if (options.inHotwax) hotwax.addOrder({ externalId: String(id), orderName, statusId: 'ORDER_APPROVED' });
  const now = Date.now();
  const record: OrderRecord = {
    ...webOrderFacts(now - 3_600_000, { shop, orderId: String(id), orderName }),
    state,
    stateSince: now - 1_800_000,
    expectation: 'created',
    repairAttempts: options.repairAttempts ?? 0,
    version: 0,
    firstSeenAt: now - 3_600_000,
    source: 'webhook',
    humanNotifiedAt: now - 1_800_000,
    finding: {
      title: 'Phone number missing or invalid',
      explanation: 'HotWax could not import the order: its shipping address has no phone.',
      fix: 'Add the phone in Shopify admin; the monitor re-imports the order.',
      rawError: 'Phone number is missing in the shipping address of the order',
    },
  };
  const saved = await store().save(record, {
    expectedVersion: undefined,
    events: [
      { at: now - 1_800_000, type: 'check.blocked', state, message: 'Not in HotWax: the import failed.' },
    ],
    now,
  });
  return saved.record;
};

/** The alert the checker would have sent, posted by the real notifier: it carries the buttons. */
const postAlert = async (
  record: OrderRecord,
  kind: Notification['kind'] = 'needs_human',
): Promise<SimMessage> => {
  const notification: Notification = {
    kind,
    shop,
    title: `Order ${record.orderName} cannot reach HotWax`,
    explanation: record.finding?.explanation,
    at: Date.now(),
    order: {
      orderId: record.orderId,
      orderName: record.orderName,
      channel: 'web',
      state: record.state,
      outOfSyncSince: record.createdAt,
      shopifyUrl: `https://admin.shopify.com/store/acme-slack/orders/${record.orderId}`,
    },
  };
  const before = slack.messages.length;
  await handlers.notifier(
    {
      Records: [sqsRecord({ MessageId: `n-${record.orderId}-${kind}`, Body: JSON.stringify(notification) })],
    },
    lambdaContext('notifier'),
  );
  const message = slack.messages.slice(before).find((candidate) => candidate.text.includes(record.orderName));
  if (!message) throw new Error('the notifier posted nothing');
  return message;
};

const timelineOf = async (orderId: string) => (await store().getWithTimeline(orderId)).timeline;
const shown = (message: { text: string; blocks: unknown[] }) =>
  `${message.text}\n${JSON.stringify(message.blocks)}`;
const noticesTo = (responseUrl?: string) =>
  slack.responses.filter(
    (response) =>
      response.body.response_type === 'ephemeral' && (!responseUrl || response.responseUrl === responseUrl),
  );

beforeAll(async () => {
  aws = await createTestAws();
  [slack, hotwax, shopify] = await Promise.all([
    startSlackSim({ channels: [channel], userGroups: { S0ADMINS: [admin] } }),
    startHotwaxSim({ backend: 'ofbiz', importDelayMs: 50 }),
    startShopifySim({ shop }),
  ]);
  queues = {
    checks: (await aws.createQueue('checks')).url,
    notify: (await aws.createQueue('notify')).url,
    replies: (await aws.createQueue('replies')).url,
  };
  const routes: Routes = {
    webhook: async () => ({ statusCode: 404 }),
    api: async () => ({ statusCode: 503 }),
  };
  server = await startHttpServer(routes, 0);
  setEnv({
    ...monitorEnv(hotwax),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: aws.tableName,
    DYNAMODB_ENDPOINT: aws.dynamoEndpoint,
    SQS_ENDPOINT: aws.sqsEndpoint,
    CHECK_QUEUE_URL: queues.checks,
    NOTIFY_QUEUE_URL: queues.notify,
    SLACK_REPLY_QUEUE_URL: queues.replies,
    SHOPIFY_SHOP: shop,
    SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
    SHOPIFY_ADMIN_URL: shopify.url,
    SHOPIFY_API_VERSION: shopify.apiVersion,
    VERIFY_DELAY_SECONDS: '1',
    MAX_REPAIR_ATTEMPTS: '3',
    SLACK_BOT_TOKEN: slack.token,
    SLACK_CHANNEL_ID: channel,
    SLACK_API_URL: slack.apiUrl,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_TEAM_ID: 'T000',
    SLACK_ALLOWED_ACTORS: `${lead},S0ADMINS`,
    TIMELINE_LINK_KEY: 'timeline-link-key-for-the-slack-actions-test',
    PUBLIC_BASE_URL: server.url,
    NOTIFY_STORM_THRESHOLD: '100',
  });
  vi.resetModules();
  routes.slack = (await import('../../functions/slack/handler.js')).handler as unknown as HttpHandler;
  routes.api = (await import('../../functions/api/handler.js')).handler as unknown as HttpHandler;
  handlers = {
    checker: (await import('../../functions/checker/handler.js')).handler as unknown as SqsHandler,
    notifier: (await import('../../functions/notifier/handler.js')).handler as unknown as SqsHandler,
    replies: (await import('../../functions/slack-replies/handler.js')).handler as unknown as SqsHandler,
  };
});

afterAll(async () => {
  server?.close();
  await Promise.allSettled([slack?.close(), hotwax?.stop(), shopify?.stop()]);
  aws?.destroy();
});

describe('every alert that needs a person', () => {
  it('carries Re-check now, Mute 24 h and Ignore order, and a signed timeline link that opens the page', async () => {
    const record = await seedOrder('blocked_on_data');
    const message = await postAlert(record);
    expect(userAs(person).buttons(message)).toEqual([
      'ordersync:recheck',
      'ordersync:mute',
      'ordersync:ignore',
    ]);
    const link = /<(http[^|>]+\/timeline\?token=[^|>]+)\|Timeline>/.exec(shown(message))?.[1];
    expect(link).toBeDefined();
    const page = await fetch(link as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Order ${record.orderName}`);
  });

  it('escalated: carries Retry repair too', async () => {
    const message = await postAlert(await seedOrder('escalated', { repairAttempts: 3 }), 'escalated');
    expect(userAs(person).buttons(message)).toEqual([
      'ordersync:recheck',
      'ordersync:retry_repair',
      'ordersync:mute',
      'ordersync:ignore',
    ]);
  });
});

describe('Re-check now', () => {
  it('queues a check with no delay, the runbook runs, and the message is updated in place with the outcome', async () => {
    const record = await seedOrder('blocked_on_data', { inHotwax: true });
    const message = await postAlert(record);
    const click = await userAs(person).click(message, 'ordersync:recheck');
    expect(click.status).toBe(200);
    expect(click.text).toBe('');

    const checks = await checksOnQueue();
    expect(checks).toEqual([
      expect.objectContaining({
        orderId: record.orderId,
        reason: 'manual',
        requestedBy: expect.objectContaining({ actor: person }),
      }),
    ]);
    await handlers.checker(
      {
        Records: checks.map((check, index) =>
          sqsRecord({ MessageId: `c${index}`, Body: JSON.stringify(check) }),
        ),
      },
      lambdaContext('checker'),
    );
    expect((await store().get({ shop, orderId: record.orderId }))?.state).toBe('in_sync');
    await consume('replies', handlers.replies);

    expect(message.updates).toBe(1);
    expect(shown(message)).toContain('In sync');
    // The checker kept the HotWax link on the record; the card shows it without any HotWax configuration.
    expect(shown(message)).toMatch(/ViewOrder\?orderId=\w+\|Open in HotWax>/);
    expect(shown(message)).toContain(`<@${person}>`);
    const thread = slack.threads.get(message.ts) ?? [];
    expect(thread.map((reply) => reply.text).join('\n')).toMatch(/In HotWax|in sync/i);
    const asked = (await timelineOf(record.orderId)).find((event) => event.type === 'person.recheck');
    expect(asked).toMatchObject({ detail: { actor: person, via: 'slack' } });
    expect(JSON.stringify(asked)).not.toContain('sim.person');
  });

  it('runs once for a double click and for Slack retrying the same delivery; the second click hears why', async () => {
    const record = await seedOrder('awaiting_approval');
    const message = await postAlert(record);
    const user = userAs(person);
    const first = await user.click(message, 'ordersync:recheck');
    const retried = await user.resend(first, `${server.url}/slack/actions`, { retryNum: 1 });
    const second = await user.click(message, 'ordersync:recheck');
    expect([first.status, retried.status, second.status]).toEqual([200, 200, 200]);
    const checks = (await checksOnQueue()).filter((check) => check.orderId === record.orderId);
    expect(checks).toHaveLength(1);
    await consume('replies', handlers.replies);
    const notices = noticesTo().filter((notice) => String(notice.body.text).includes('already asked'));
    expect(notices).toHaveLength(1);
    expect(
      (await timelineOf(record.orderId)).filter((event) => event.type === 'person.recheck'),
    ).toHaveLength(1);
  });
});

describe("Slack's signature and workspace, before anything is parsed", () => {
  it('refuses a replayed (old) request, a forged signature and an unsigned one with 401, and changes nothing', async () => {
    const record = await seedOrder('blocked_on_data');
    const message = await postAlert(record);
    const user = userAs(person);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await user.click(message, 'ordersync:recheck', { timestamp: old })).status).toBe(401);
    expect(
      (await user.click(message, 'ordersync:recheck', { secret: 'not-the-signing-secret' })).status,
    ).toBe(401);
    expect((await user.click(message, 'ordersync:recheck', { signature: '' })).status).toBe(401);
    expect((await user.slashCommand('status', { secret: 'forged' })).status).toBe(401);
    // Garbage with a valid signature is a 400, never a crash.
    expect((await user.send(`${server.url}/slack/actions`, 'payload=%7Bnot-json')).status).toBe(400);
    expect((await checksOnQueue()).filter((check) => check.orderId === record.orderId)).toEqual([]);
    expect((await timelineOf(record.orderId)).map((event) => event.type)).toEqual(['check.blocked']);
  });

  it('refuses another workspace with 403', async () => {
    const record = await seedOrder('blocked_on_data');
    const message = await postAlert(record);
    expect((await userAs(person, 'T0OTHER').click(message, 'ordersync:mute')).status).toBe(403);
    expect((await userAs(person, 'T0OTHER').slashCommand(record.orderName)).status).toBe(403);
    expect((await store().get({ shop, orderId: record.orderId }))?.byPerson).toBeUndefined();
  });
});

describe('Mute 24 h', () => {
  it('silences the order for a day, keeps checking it, and the timeline and message say who muted it', async () => {
    const record = await seedOrder('blocked_on_data', { inHotwax: false });
    const message = await postAlert(record);
    expect((await userAs(person).click(message, 'ordersync:mute')).status).toBe(200);
    await consume('replies', handlers.replies);
    const muted = await store().get({ shop, orderId: record.orderId });
    expect(muted?.byPerson).toMatchObject({ mutedBy: person, mutedUntil: expect.any(Number) });
    expect((muted?.byPerson?.mutedUntil ?? 0) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(message.updates).toBe(1);
    expect(shown(message)).toMatch(new RegExp(`Alerts muted by <@${person}>`));
    expect(userAs(person).buttons(message)).not.toContain('ordersync:mute');
    expect((await timelineOf(record.orderId)).at(-1)).toMatchObject({
      type: 'person.mute',
      detail: { actor: person },
    });
  });
});

describe('Ignore order', () => {
  it('asks for a one-line reason in a modal, then moves the order to ignored with who and why', async () => {
    const record = await seedOrder('stuck_created');
    const message = await postAlert(record);
    const user = userAs(lead);
    expect((await user.click(message, 'ordersync:ignore')).status).toBe(200);
    const view = slack.views.at(-1);
    expect(view?.view).toMatchObject({ type: 'modal', callback_id: 'ordersync:ignore' });
    expect(JSON.stringify(view?.view)).toContain(record.orderName);
    // Nothing changes until the reason is given.
    expect((await store().get({ shop, orderId: record.orderId }))?.state).toBe('stuck_created');

    const empty = await user.submitModal(view as NonNullable<typeof view>, '   ');
    expect(empty.json).toMatchObject({
      response_action: 'errors',
      errors: { reason: expect.stringContaining('one line') },
    });
    const submitted = await user.submitModal(
      view as NonNullable<typeof view>,
      'Duplicate of an exchange, jane@example.com',
    );
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe('');
    // Submitting twice (a double click on Ignore) is one ignore.
    expect((await user.submitModal(view as NonNullable<typeof view>, 'again')).status).toBe(200);
    await consume('replies', handlers.replies);

    const ignored = await store().get({ shop, orderId: record.orderId });
    expect(ignored).toMatchObject({
      state: 'ignored',
      byPerson: { ignoredBy: lead, ignoredReason: 'Duplicate of an exchange, [email]' },
    });
    expect((await timelineOf(record.orderId)).filter((event) => event.type === 'person.ignore')).toHaveLength(
      1,
    );
    expect(shown(message)).toContain(`Ignored by <@${lead}>`);
    expect(userAs(lead).buttons(message)).toEqual(['ordersync:recheck']);
  });

  it('is kept to SLACK_ALLOWED_ACTORS: a user group member may, anyone else hears why not', async () => {
    const record = await seedOrder('blocked_on_data');
    const message = await postAlert(record);
    const viewsBefore = slack.views.length;
    const refused = await userAs(person).click(message, 'ordersync:ignore');
    expect(refused.status).toBe(200);
    await consume('replies', handlers.replies);
    expect(slack.views.length).toBe(viewsBefore);
    expect(noticesTo().at(-1)?.body.text).toMatch(/SLACK_ALLOWED_ACTORS/);

    expect((await userAs(admin).click(message, 'ordersync:ignore')).status).toBe(200);
    const view = slack.views.at(-1) as NonNullable<(typeof slack.views)[number]>;
    expect(slack.views.length).toBe(viewsBefore + 1);
    // A submission by someone the list does not name keeps the modal open.
    const sneaky = await userAs(person).submitModal(view, 'not mine to ignore');
    expect(sneaky.json).toMatchObject({ response_action: 'errors' });
    expect((await store().get({ shop, orderId: record.orderId }))?.state).toBe('blocked_on_data');
  });
});

describe('Retry repair', () => {
  it('resets the repairs of an escalated order and runs the runbook again: the order is re-imported', async () => {
    const record = await seedOrder('escalated', { repairAttempts: 3 });
    const message = await postAlert(record, 'escalated');
    const refused = await userAs(person).click(message, 'ordersync:retry_repair');
    expect(refused.status).toBe(200);
    expect(await checksOnQueue()).toEqual([]);

    expect((await userAs(lead).click(message, 'ordersync:retry_repair')).status).toBe(200);
    const reset = await store().get({ shop, orderId: record.orderId });
    expect(reset).toMatchObject({ state: 'pending_check', repairAttempts: 0 });
    const checks = await checksOnQueue();
    expect(checks).toHaveLength(1);
    await handlers.checker(
      { Records: [sqsRecord({ MessageId: 'retry', Body: JSON.stringify(checks[0]) })] },
      lambdaContext('checker'),
    );
    const after = await store().get({ shop, orderId: record.orderId });
    expect(after).toMatchObject({ state: 'reimport_requested', repairAttempts: 1 });
    await consume('replies', handlers.replies);
    expect(shown(message)).toContain('Re-import requested');
    expect(
      (await timelineOf(record.orderId)).find((event) => event.type === 'person.retry_repair'),
    ).toMatchObject({
      detail: { actor: lead, repairAttemptsBefore: 3 },
    });
  });
});

describe('/ordersync', () => {
  it("answers the caller only with the order's state, cause and fix, last events and buttons, by id and by name", async () => {
    const record = await seedOrder('blocked_on_data');
    const user = userAs(person);
    for (const query of [record.orderId, record.orderName, record.orderName.slice(1)]) {
      const answer = await user.slashCommand(query);
      expect(answer.status).toBe(200);
      expect(answer.json?.response_type).toBe('ephemeral');
      const text = shown(answer.ephemeral as NonNullable<typeof answer.ephemeral>);
      expect(text).toContain(record.orderName);
      expect(text).toContain('Blocked on data in Shopify');
      expect(text).toContain('Add the phone in Shopify admin');
      expect(text).toContain('Last events');
      expect(user.buttons(answer.ephemeral as NonNullable<typeof answer.ephemeral>)).toContain(
        'ordersync:recheck',
      );
    }
    const unknown = await user.slashCommand('#does-not-exist');
    expect(shown(unknown.ephemeral as NonNullable<typeof unknown.ephemeral>)).toContain(
      'is known to the monitor',
    );
  });

  it('a button on the answer replaces the answer itself (response_url), as the message it is', async () => {
    const record = await seedOrder('awaiting_approval');
    const user = userAs(person);
    const answer = await user.slashCommand(record.orderName);
    const ephemeral = answer.ephemeral as NonNullable<typeof answer.ephemeral>;
    expect((await user.click(ephemeral, 'ordersync:mute')).status).toBe(200);
    await consume('replies', handlers.replies);
    expect(ephemeral.updates).toBe(1);
    expect(shown(ephemeral)).toContain('Alerts muted by');
  });

  it('status: the counts by state and the orders that need a person', async () => {
    const answer = await userAs(person).slashCommand('status');
    const text = shown(answer.ephemeral as NonNullable<typeof answer.ephemeral>);
    expect(text).toMatch(/Blocked on data in Shopify: \*\d+\*/);
    expect(text).toContain('Need a person');
  });
});
