import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HotwaxApiError,
  HotwaxAuthError,
  HotwaxHttpError,
  HotwaxSetupError,
  HotwaxTimeoutError,
} from '../../shared/adapters/hotwax/errors.js';
import { createHotwaxClient } from '../../shared/adapters/hotwax/hotwax-client.js';
import {
  createOfbizHotwaxPort,
  type OfbizPortOptions,
} from '../../shared/adapters/hotwax/ofbiz/ofbiz-port.js';
import { type HotwaxSim, simCustomer, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';

describe('the OFBiz HotWax port against the simulator', () => {
  let sim: HotwaxSim;
  let counter = 0;
  const shopifyId = () => String(5_200_000_000_000 + ++counter);

  const portOptions = (overrides: Partial<OfbizPortOptions> = {}): OfbizPortOptions => ({
    baseUrl: sim.url,
    username: sim.settings.username,
    password: sim.settings.password,
    shopifyConfigId: sim.settings.shopifyConfigId,
    shopId: sim.settings.shopId,
    productStoreId: sim.settings.productStoreId,
    timeoutMs: 5_000,
    ...overrides,
  });
  const port = (overrides: Partial<OfbizPortOptions> = {}) => createOfbizHotwaxPort(portOptions(overrides));
  const bodiesOf = (endpoint: string) =>
    sim.calls
      .filter((call) => call.endpoint === endpoint)
      .map((call) => call.body as Record<string, unknown>);
  const inputFieldsOf = (endpoint: string, entityName?: string) =>
    sim.calls
      .filter(
        (call) => call.endpoint === endpoint && (!entityName || call.query.entityName?.[0] === entityName),
      )
      .map((call) => JSON.parse(call.query.inputFields?.[0] ?? '{}') as Record<string, unknown>);

  beforeAll(async () => {
    // Strict: a New Orders run without Job Manager's payload (frequency…) fails, as HotWax's service would.
    sim = await startHotwaxSim({ strictRunNow: true });
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  it('says what it can do: no refresh without its service, re-import by the New Orders window, approval by job', () => {
    expect(port().capabilities).toEqual({
      backend: 'ofbiz',
      canRefresh: false,
      reimportRepairsStuck: false,
      reimportScope: 'window',
      approval: 'job',
    });
    const configured = port({
      refreshOrderService: 'refreshShopifyOrder',
      importOrderService: 'importShopifyOrdersByIds',
    });
    expect(configured.capabilities).toMatchObject({ canRefresh: true, reimportScope: 'order' });
    expect(configured.refreshOrder).toBeTypeOf('function');
    expect(port().refreshOrder).toBeUndefined();
  });

  describe('logging in', () => {
    it('logs in once, shares the login between concurrent callers, and logs in again once on a 401', async () => {
      const hotwax = port();
      await Promise.all(Array.from({ length: 4 }, () => hotwax.findOrdersByShopifyIds([shopifyId()])));
      expect(sim.callCount('login')).toBe(1);
      sim.expireTokens();
      await hotwax.findOrdersByShopifyIds([shopifyId()]);
      expect(sim.callCount('login')).toBe(2);
    });

    it('reports wrong credentials as an auth error that does not reveal them', async () => {
      const error = await port({ password: 'not-the-password' })
        .findOrdersByShopifyIds([shopifyId()])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxAuthError);
      expect((error as Error).message).not.toContain('not-the-password');
    });
  });

  describe('errors', () => {
    it('turns a 500 into a transient error, an error inside a 200 or an HTML page into a refusal', async () => {
      const hotwax = port({ apiToken: sim.settings.apiToken });
      sim.failNext(1, { status: 500, path: 'performFind' });
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).rejects.toMatchObject({
        name: 'HotwaxHttpError',
        transient: true,
      });
      sim.errorIn200Next(1, 'Entity engine exploded', { path: 'performFind' });
      const refused = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(HotwaxApiError);
      expect(refused).toMatchObject({ transient: false, hotwaxMessage: 'Entity engine exploded' });
      sim.htmlNext(1, { path: 'performFind' });
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).rejects.toBeInstanceOf(HotwaxApiError);
    });

    it('turns a silent server into a transient timeout', async () => {
      sim.timeoutNext(1, { path: 'performFind' });
      const error = await port({ apiToken: sim.settings.apiToken, timeoutMs: 200 })
        .findOrdersByShopifyIds([shopifyId()])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxTimeoutError);
      expect(error).toMatchObject({ transient: true });
    });
  });

  describe('finding orders', () => {
    it('finds every version of each order and splits more than 100 ids into several finds', async () => {
      const ids = Array.from({ length: 150 }, shopifyId);
      const exchanged = ids[0] as string;
      sim.addOrder({ externalId: exchanged, statusId: 'ORDER_COMPLETED' });
      sim.addOrder({ externalId: exchanged, statusId: 'ORDER_APPROVED' });
      sim.addOrder({ externalId: ids[149] as string, statusId: 'ORDER_REJECTED' });
      sim.addOrder({ externalId: ids[148] as string, statusId: 'ORDER_EXPIRED' });

      const found = await port().findOrdersByShopifyIds(ids);

      expect(sim.callCount('performFind')).toBe(2);
      expect(found.get(exchanged)?.map((order) => order.statusId)).toEqual([
        'ORDER_APPROVED',
        'ORDER_COMPLETED',
      ]);
      expect(found.get(ids[149] as string)?.[0]?.statusId).toBe('ORDER_REJECTED');
      expect(found.get(ids[148] as string)?.[0]?.statusId).toBe('ORDER_EXPIRED');
      expect(found.size).toBe(3);
    });
  });

  describe('re-importing', () => {
    it('runs the New Orders job with exactly the body Job Manager sends, and the run imports the order', async () => {
      const id = shopifyId();
      sim.queueShopifyOrder({ shopifyOrderId: id, importAs: 'ORDER_APPROVED' });

      const run = await port().reimport({ orders: [{ shopifyOrderId: id, updatedAt: Date.now() }] });
      await sim.idle();

      expect(run).toMatchObject({ kind: 'new_orders_job', detail: expect.stringContaining('JOB_IMP_ORD') });
      expect(bodiesOf('scheduleService')).toEqual([
        {
          JOB_NAME: 'Import new orders',
          SERVICE_NAME: 'createOrdersFromShopify',
          SERVICE_COUNT: '0',
          jobFields: {
            productStoreId: sim.settings.productStoreId,
            systemJobEnumId: 'JOB_IMP_ORD',
            instanceOfProductId: 'JOB_IMP_ORD',
            parentJobId: '10231',
            recurrenceTimeZone: 'UTC',
            shopId: sim.settings.shopId,
          },
          statusId: 'SERVICE_PENDING',
          systemJobEnumId: 'JOB_IMP_ORD',
          // the schedule's runtime data, copied to the top level
          shopifyConfigId: sim.settings.shopifyConfigId,
          frequency: '15',
        },
      ]);
      expect(sim.jobRuns('JOB_IMP_ORD').at(-1)?.statusId).toBe('SERVICE_FINISHED');
      expect(sim.getOrdersByExternalId(id)[0]?.statusId).toBe('ORDER_APPROVED');
    });

    it("finds the job's definitions with Job Manager's shop OR-group and asks for every field", async () => {
      await port().reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] });
      const [query] = sim.calls.filter((call) => call.endpoint === 'findJobs');
      expect(query?.query.fieldList).toBeUndefined();
      expect(JSON.parse(query?.query.inputFields?.[0] ?? '{}')).toEqual({
        systemJobEnumId: 'JOB_IMP_ORD',
        statusId: ['SERVICE_DRAFT', 'SERVICE_PENDING'],
        statusId_op: 'in',
        shopId_fld0_value: sim.settings.shopId,
        shopId_fld0_grp: '1',
        shopId_fld0_op: 'equals',
        shopId_fld1_grp: '2',
        shopId_fld1_op: 'empty',
      });
    });

    it("shows why today's client fails on a strict HotWax: its run has no frequency and imports nothing", async () => {
      const id = shopifyId();
      sim.queueShopifyOrder({ shopifyOrderId: id });
      const legacy = createHotwaxClient(portOptions());
      await legacy.runNewOrdersJob();
      await sim.idle();
      expect(sim.jobRuns('JOB_IMP_ORD').at(-1)?.statusId).toBe('SERVICE_FAILED');
      expect(sim.getOrdersByExternalId(id)).toHaveLength(0);
    });

    it('runs the draft when the shop has no schedule, with the monitor’s shop ids', async () => {
      const bare = await startHotwaxSim({ newOrdersJobScheduled: false, strictRunNow: true });
      try {
        const id = shopifyId();
        bare.queueShopifyOrder({ shopifyOrderId: id });
        await createOfbizHotwaxPort({ ...portOptions(), baseUrl: bare.url }).reimport({
          orders: [{ shopifyOrderId: id, updatedAt: Date.now() }],
        });
        await bare.idle();
        const body = bare.calls.find((call) => call.endpoint === 'scheduleService')?.body as Record<
          string,
          unknown
        >;
        // A draft has no parent; the "null" placeholders of its runtime data give way to this shop's ids.
        expect(body.jobFields).not.toHaveProperty('parentJobId');
        expect(body).toMatchObject({ shopifyConfigId: bare.settings.shopifyConfigId, frequency: '15' });
        expect(bare.getOrdersByExternalId(id)).toHaveLength(1);
      } finally {
        await bare.stop();
      }
    });

    it('explains that the New Orders job is missing when HotWax has none', async () => {
      const bare = await startHotwaxSim({ newOrdersJobDefined: false });
      try {
        const error = await createOfbizHotwaxPort({ ...portOptions(), baseUrl: bare.url })
          .reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(HotwaxSetupError);
        expect((error as Error).message).toContain('Job Manager');
      } finally {
        await bare.stop();
      }
    });

    it('calls a configured per-order import service once per order, with the default payload', async () => {
      const [first, second] = [shopifyId(), shopifyId()];
      sim.queueShopifyOrder({ shopifyOrderId: first });
      sim.queueShopifyOrder({ shopifyOrderId: second });
      const hotwax = port({ importOrderService: sim.settings.importOrderService });

      const run = await hotwax.reimport({
        orders: [
          { shopifyOrderId: first, updatedAt: 1 },
          { shopifyOrderId: second, updatedAt: 2 },
        ],
      });
      await sim.idle();

      expect(run.kind).toBe('order_import');
      expect(bodiesOf(`service/${sim.settings.importOrderService}`)).toEqual([
        { shopifyConfigId: sim.settings.shopifyConfigId, shopifyOrderId: first },
        { shopifyConfigId: sim.settings.shopifyConfigId, shopifyOrderId: second },
      ]);
      expect(sim.getOrdersByExternalId(first)).toHaveLength(1);
      expect(sim.callCount('scheduleService')).toBe(0);
    });

    it('sends one call for the whole batch when the payload template names {shopifyOrderIds}', async () => {
      const ids = [shopifyId(), shopifyId()];
      const hotwax = port({
        importOrderService: 'importShopifyOrdersByIds',
        importOrderPayload:
          '{"configId":"SOP_IMPORT_ORDER","shopifyConfigId":"{shopifyConfigId}","orderIds":"{shopifyOrderIds}"}',
      });
      // The simulator does not know this service: the call is refused, but its body is what was configured.
      await hotwax
        .reimport({ orders: ids.map((id) => ({ shopifyOrderId: id, updatedAt: 1 })) })
        .catch(() => {});
      expect(bodiesOf('service/importShopifyOrdersByIds')).toEqual([
        {
          configId: 'SOP_IMPORT_ORDER',
          shopifyConfigId: sim.settings.shopifyConfigId,
          orderIds: ids.join(','),
        },
      ]);
    });
  });

  describe('failed imports in the Shopify Order MDM', () => {
    it('reads the error of the right order, with the customer’s e-mail cut out of it', async () => {
      const [bad, good] = [shopifyId(), shopifyId()];
      const since = Date.now() - 1_000;
      sim.queueShopifyOrder({ shopifyOrderId: good });
      sim.failImport(
        bad,
        `E-mail address ${simCustomer.email} not formatted correctly, must be like: name@domain`,
      );
      await port().reimport({ orders: [{ shopifyOrderId: bad, updatedAt: since }] });
      await sim.idle();

      const failures = await port().findImportFailures({ since, shopifyOrderIds: [bad, good] });

      expect([...failures.keys()]).toEqual([bad]);
      const failure = failures.get(bad);
      expect(failure).toMatchObject({ shopifyOrderId: bad, configId: 'CRT_SHOPIFY_ORDER' });
      expect(failure?.errorText).toContain('not formatted correctly, must be like: name@domain');
      expect(failure?.errorText).not.toContain(simCustomer.email);
    });

    it('asks OFBiz for logs since `since` with createdDate_op and stops paging there', async () => {
      const since = Date.now() - 60_000;
      for (let index = 0; index < 120; index++) sim.addMdmLog({ createdDate: since - 3_600_000 - index });
      const id = shopifyId();
      sim.failImport(id, 'Phone number is missing');
      await port().reimport({ orders: [{ shopifyOrderId: id, updatedAt: since }] });
      await sim.idle();

      sim.clearCalls();
      const failures = await port().findImportFailures({ since, shopifyOrderIds: [id] });
      expect(failures.get(id)?.errorText).toBe('Phone number is missing');
      expect(inputFieldsOf('performFind', 'DataManagerLogAndContent')).toEqual([
        { configId: 'CRT_SHOPIFY_ORDER', createdDate: since, createdDate_op: 'greaterThanEqualTo' },
      ]);
    });

    it("shows that today's createdDate_from is dropped by OFBiz, so the old client pages through every log", async () => {
      const since = Date.now() - 60_000;
      for (let index = 0; index < 120; index++) sim.addMdmLog({ createdDate: since - 3_600_000 - index });
      const legacy = createHotwaxClient(portOptions());

      await legacy.findImportFailures({ since, shopifyOrderIds: [shopifyId()] });
      const oldPages = sim.callCount(
        'performFind',
        (call) => call.query.entityName?.[0] === 'DataManagerLogAndContent',
      );
      sim.clearCalls();
      await port().findImportFailures({ since, shopifyOrderIds: [shopifyId()] });
      const newPages = sim.callCount(
        'performFind',
        (call) => call.query.entityName?.[0] === 'DataManagerLogAndContent',
      );

      expect(oldPages).toBe(3); // 120 logs older than `since`, 50 a page: all of them read
      expect(newPages).toBe(1);
    });
  });

  describe('approval and the import flow', () => {
    it('reads the approval job: scheduled or not, and how its recent runs ended', async () => {
      sim.setJobRunOutcome('JOB_APR_ORD', 'SERVICE_FAILED');
      const legacy = createHotwaxClient(portOptions());
      await legacy.runApprovalJob(sim.addOrder({ externalId: shopifyId() }).orderId);
      await sim.idle();
      expect(await port().approvalStatus()).toEqual({
        mechanism: 'job',
        enabled: true,
        recentRunStatuses: ['SERVICE_FAILED'],
      });
      sim.setApprovalJobScheduled(false);
      expect((await port().approvalStatus()).enabled).toBe(false);
    });

    it('reports the New Orders job as ok, failing after three failed runs, not scheduled, or missing', async () => {
      const hotwax = port();
      expect((await hotwax.importFlowHealth())[0]).toMatchObject({ flow: 'new_orders_job', status: 'ok' });

      sim.setJobRunOutcome('JOB_IMP_ORD', 'SERVICE_FAILED');
      for (let run = 0; run < 3; run++)
        await hotwax.reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: 1 }] });
      await sim.idle();
      const [failing] = await hotwax.importFlowHealth();
      expect(failing).toMatchObject({ status: 'failing', jobName: 'JOB_IMP_ORD' });
      expect(failing?.detail).toContain('Job Manager');
      expect(failing?.lastRunAt).toBeTypeOf('number');

      const unscheduled = await startHotwaxSim({ newOrdersJobScheduled: false });
      const missing = await startHotwaxSim({ newOrdersJobDefined: false });
      try {
        const on = (other: HotwaxSim) => createOfbizHotwaxPort({ ...portOptions(), baseUrl: other.url });
        expect((await on(unscheduled).importFlowHealth())[0]?.status).toBe('paused');
        expect((await on(missing).importFlowHealth())[0]?.status).toBe('missing');
      } finally {
        await Promise.all([unscheduled.stop(), missing.stop()]);
      }
    });

    it('never has an interrupted repair to recover, and links to the order in the OMS', async () => {
      expect(await port().recoverInterruptedRepairs()).toBe(0);
      expect(port().orderUrl('HC 1')).toBe(`${sim.url}/commerce/control/ViewOrder?orderId=HC%201`);
      expect(port({ orderUrlTemplate: 'https://oms.example/o/{orderId}' }).orderUrl('HC1')).toBe(
        'https://oms.example/o/HC1',
      );
    });
  });

  it('refreshes through the configured service', async () => {
    const id = shopifyId();
    const order = sim.addOrder({ externalId: id, salesChannelEnumId: 'POS_SALES_CHANNEL' });
    await port({ refreshOrderService: sim.settings.refreshOrderService }).refreshOrder?.(order.orderId);
    await sim.idle();
    expect(sim.getOrdersByExternalId(id).map((version) => version.statusId)).toEqual([
      'ORDER_CANCELLED',
      'ORDER_COMPLETED',
    ]);
  });

  it('rejects a refused login page with an HTTP error class', async () => {
    sim.failNext(1, { status: 502, path: 'login' });
    await expect(port().findOrdersByShopifyIds([shopifyId()])).rejects.toBeInstanceOf(HotwaxHttpError);
  });
});
