import { isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  financialStatusByDisplay,
  financialStatusFromDisplay,
  fulfillmentStatusByDisplay,
  fulfillmentStatusFromDisplay,
} from '../../shared/adapters/shopify/order-snapshot.js';
import { shopifyAdminFields } from '../../shared/config/config.js';
import { adminVersions, loadAdminSchema } from '../../sim/shopify/admin-schema.js';

const defaultVersion = shopifyAdminFields.shape.SHOPIFY_API_VERSION.parse(undefined);
const versions = adminVersions().map((version) => version.name);

const enumValues = (version: string, name: string): string[] => {
  const type = loadAdminSchema(version).schema.getType(name);
  if (!isEnumType(type)) throw new Error(`${name} is not an enum in ${version}`);
  return type.getValues().map((value) => value.name);
};

describe("Shopify's display statuses, mapped deliberately", () => {
  it('covers the default API version', () => {
    expect(versions).toContain(defaultVersion);
  });

  it.each(versions)('knows every OrderDisplayFulfillmentStatus of %s', (version) => {
    const unknown = enumValues(version, 'OrderDisplayFulfillmentStatus').filter(
      (value) => !Object.hasOwn(fulfillmentStatusByDisplay, value),
    );
    expect(unknown, 'decide what each new value means for HotWax in order-snapshot.ts').toEqual([]);
  });

  it.each(versions)('knows every OrderDisplayFinancialStatus of %s', (version) => {
    const unknown = enumValues(version, 'OrderDisplayFinancialStatus').filter(
      (value) => !Object.hasOwn(financialStatusByDisplay, value),
    );
    expect(unknown, 'decide what each new value means for HotWax in order-snapshot.ts').toEqual([]);
  });

  it('maps only values some schema has', () => {
    const all = (name: string) => new Set(versions.flatMap((version) => enumValues(version, name)));
    const fulfillment = all('OrderDisplayFulfillmentStatus');
    const financial = all('OrderDisplayFinancialStatus');
    expect(Object.keys(fulfillmentStatusByDisplay).filter((value) => !fulfillment.has(value))).toEqual([]);
    expect(Object.keys(financialStatusByDisplay).filter((value) => !financial.has(value))).toEqual([]);
  });

  it.each([
    ['FULFILLED', 'fulfilled'],
    ['PARTIALLY_FULFILLED', 'partial'],
    ['RESTOCKED', 'restocked'],
    ['UNFULFILLED', null],
    ['SCHEDULED', null],
    ['ON_HOLD', null],
    ['IN_PROGRESS', null],
    ['REQUEST_DECLINED', null],
    // Nothing to fulfil: HotWax owes a live, approved order like any created one; never a POS refresh case.
    ['FULFILLMENT_NOT_REQUIRED', null],
    ['A_FUTURE_VALUE', null],
  ] as const)('reads fulfilment %s as REST %s', (display, rest) => {
    expect(fulfillmentStatusFromDisplay(display)).toBe(rest);
  });

  it.each([
    ['PAID', 'paid'],
    ['PARTIALLY_REFUNDED', 'partially_refunded'],
    ['EXPIRED', 'expired'],
    ['VOIDED', 'voided'],
    [null, null],
  ] as const)('reads payment %s as REST %s', (display, rest) => {
    expect(financialStatusFromDisplay(display)).toBe(rest);
  });
});
