import { describe, expect, it } from 'vitest';
import { createInMemoryRepairJournal } from '../../shared/adapters/hotwax/in-memory-repair-journal.js';
import { hotwaxFields, hotwaxSchema } from '../../shared/config/config.js';
import { hotwaxPortOptionsFromConfig } from '../../shared/wiring/shops.js';

const base = {
  HOTWAX_BASE_URL: 'https://acme.hotwax.io',
  HOTWAX_API_TOKEN: 'token',
  HOTWAX_SHOPIFY_CONFIG_ID: 'CONFIG',
  HOTWAX_SHOP_ID: 'SHOP',
  HOTWAX_PRODUCT_STORE_ID: 'STORE',
};
const schema = hotwaxSchema;
const backendFields = hotwaxFields.pick({
  HOTWAX_BACKEND: true,
  HOTWAX_MAARG_URL: true,
  HOTWAX_ORDER_URL_TEMPLATE: true,
  HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: true,
  HOTWAX_IMPORT_ORDER_PAYLOAD: true,
  HOTWAX_TIME_ZONE: true,
  HOTWAX_REPAIR_GRACE_SECONDS: true,
});

describe('HotWax backend configuration', () => {
  it('declares every default once', () => {
    expect(backendFields.parse({})).toEqual({
      HOTWAX_BACKEND: 'auto',
      HOTWAX_TIME_ZONE: 'UTC',
      HOTWAX_REPAIR_GRACE_SECONDS: 120,
    });
  });

  it('reports every wrong value at once', () => {
    const result = backendFields.safeParse({
      HOTWAX_BACKEND: 'moqui',
      HOTWAX_MAARG_URL: 'not a url',
      HOTWAX_ORDER_URL_TEMPLATE: 'https://om.example/orders/',
      HOTWAX_IMPORT_ORDER_PAYLOAD: '[1]',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'HOTWAX_BACKEND',
      'HOTWAX_IMPORT_ORDER_PAYLOAD',
      'HOTWAX_MAARG_URL',
      'HOTWAX_ORDER_URL_TEMPLATE',
    ]);
  });

  it('maps the environment to the port options; the remote id defaults to the Shopify config id', () => {
    const journal = createInMemoryRepairJournal();
    const options = hotwaxPortOptionsFromConfig(
      schema.parse({ ...base, HOTWAX_BACKEND: 'maarg', HOTWAX_MAARG_URL: '' }),
      {
        shop: 'acme.myshopify.com',
        repairJournal: journal,
      },
    );
    expect(options).toMatchObject({
      baseUrl: 'https://acme.hotwax.io',
      backend: 'maarg',
      apiToken: 'token',
      shop: 'acme.myshopify.com',
      systemMessageRemoteId: 'CONFIG',
      orderMdmConfigId: 'CRT_SHOPIFY_ORDER',
      timeZone: 'UTC',
      repairGraceMs: 120_000,
      repairJournal: journal,
    });
    expect(options).not.toHaveProperty('maargUrl');
    expect(
      hotwaxPortOptionsFromConfig(schema.parse({ ...base, HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: 'REMOTE' }), {
        shop: 's',
      }).systemMessageRemoteId,
    ).toBe('REMOTE');
  });
});
