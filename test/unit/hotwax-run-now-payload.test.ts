import { describe, expect, it } from 'vitest';
import { runNowPayload } from '../../shared/adapters/hotwax/ofbiz/run-now-payload.js';

const context = {
  shopifyConfigId: 'CONFIG_OURS',
  shopId: 'SHOP_OURS',
  productStoreId: 'STORE_OURS',
  recurrenceTimeZone: 'Europe/Berlin',
};

describe("Job Manager's Run now payload", () => {
  it('copies a schedule: runtime data at the top level, its own parent, its shop ids', () => {
    const payload = runNowPayload(
      {
        jobId: 'J2',
        jobName: 'Import orders',
        serviceName: 'createOrdersFromShopify',
        systemJobEnumId: 'JOB_IMP_ORD',
        statusId: 'SERVICE_PENDING',
        tempExprId: 'EVERY_15_MIN',
        parentJobId: 'J1',
        shopId: 'SHOP_JOB',
        productStoreId: 'STORE_JOB',
        runtimeData: {
          shopifyConfigId: 'CONFIG_JOB',
          frequency: '10',
          limit: 'null',
          productStoreId: 'STORE_JOB',
        },
      },
      context,
    );
    expect(payload).toEqual({
      JOB_NAME: 'Import orders',
      SERVICE_NAME: 'createOrdersFromShopify',
      SERVICE_COUNT: '0',
      jobFields: {
        productStoreId: 'STORE_JOB',
        systemJobEnumId: 'JOB_IMP_ORD',
        instanceOfProductId: 'JOB_IMP_ORD',
        parentJobId: 'J1',
        recurrenceTimeZone: 'Europe/Berlin',
        shopId: 'SHOP_JOB',
      },
      statusId: 'SERVICE_PENDING',
      systemJobEnumId: 'JOB_IMP_ORD',
      shopifyConfigId: 'CONFIG_JOB',
      frequency: '10',
      limit: '',
      productStoreId: 'STORE_JOB',
    });
    // A one-off run carrying the schedule's recurrence would look like a second schedule.
    expect(payload).not.toHaveProperty('SERVICE_TEMP_EXPR');
    expect(payload.jobFields).not.toHaveProperty('tempExprId');
  });

  it("runs a draft with the monitor's shop and fills a required parameter the runtime data lacks", () => {
    const payload = runNowPayload(
      {
        jobId: 'J1',
        jobName: 'Import orders',
        serviceName: 'createOrdersFromShopify',
        systemJobEnumId: 'JOB_IMP_ORD',
        statusId: 'SERVICE_DRAFT',
        runtimeData: { shopifyConfigId: 'null' },
      },
      { ...context, requiredDefaults: { frequency: '15' } },
    );
    expect(payload).toMatchObject({
      shopifyConfigId: 'CONFIG_OURS',
      frequency: '15',
      jobFields: { productStoreId: 'STORE_OURS', shopId: 'SHOP_OURS' },
    });
    expect(payload.jobFields).not.toHaveProperty('parentJobId');
    expect(payload).not.toHaveProperty('shopId');
  });

  it('sends no shop ids when the runtime data has none', () => {
    const payload = runNowPayload(
      {
        jobId: 'J3',
        jobName: 'Approve',
        serviceName: 'approvePendingShopifyOrders',
        systemJobEnumId: 'JOB_APR_ORD',
      },
      context,
    );
    expect(payload).not.toHaveProperty('shopifyConfigId');
    expect(payload).not.toHaveProperty('shopId');
    expect(payload.jobFields).not.toHaveProperty('shopId');
  });
});
