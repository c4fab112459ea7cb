import { describe, expect, it } from 'vitest';
import {
  fulfillmentStatusFromDisplay,
  type OrderNode,
  orderGid,
  shopifyOrderUrl,
  toOrderSnapshot,
  UnexpectedOrderIdError,
  updatedWindowQuery,
} from '../../shared/adapters/shopify/order-snapshot.js';

const node = (overrides: Partial<OrderNode> = {}): OrderNode => ({
  id: 'gid://shopify/Order/5000000000123',
  legacyResourceId: '5000000000123',
  name: '#1123',
  createdAt: '2026-11-02T10:00:00Z',
  updatedAt: '2026-11-02T10:05:00Z',
  cancelledAt: null,
  test: false,
  sourceName: 'web',
  displayFinancialStatus: 'PAID',
  displayFulfillmentStatus: 'UNFULFILLED',
  canNotifyCustomer: true,
  phone: '+1 555-010-0199',
  shippingAddress: { phone: '+1 555-010-0199' },
  billingAddress: { phone: null },
  ...overrides,
});

describe('turning a Shopify order into a snapshot', () => {
  it('keeps ids, name, epoch-ms times and statuses in the words webhooks use', () => {
    expect(
      toOrderSnapshot(
        node({ cancelledAt: '2026-11-02T11:00:00Z', displayFinancialStatus: 'PARTIALLY_REFUNDED' }),
      ),
    ).toMatchObject({
      orderId: '5000000000123',
      orderName: '#1123',
      createdAt: Date.parse('2026-11-02T10:00:00Z'),
      updatedAt: Date.parse('2026-11-02T10:05:00Z'),
      cancelledAt: Date.parse('2026-11-02T11:00:00Z'),
      financialStatus: 'partially_refunded',
      fulfillmentStatus: null,
      displayFinancialStatus: 'PARTIALLY_REFUNDED',
      displayFulfillmentStatus: 'UNFULFILLED',
    });
  });

  it.each([
    ['pos', 'pos'],
    ['web', 'web'],
    ['shopify_draft_order', 'other'],
    ['580111', 'other'],
    [null, 'other'],
  ] as const)('puts source %s on the %s channel', (sourceName, channel) => {
    expect(toOrderSnapshot(node({ sourceName })).channel).toBe(channel);
  });

  it.each([
    ['FULFILLED', 'fulfilled'],
    ['PARTIALLY_FULFILLED', 'partial'],
    ['RESTOCKED', 'restocked'],
    ['UNFULFILLED', null],
    ['ON_HOLD', null],
    ['IN_PROGRESS', null],
  ] as const)('reads fulfilment %s as REST %s', (display, rest) => {
    expect(fulfillmentStatusFromDisplay(display)).toBe(rest);
  });

  it.each([
    ['a complete web order', node(), [true, true, true, true, true]],
    [
      'a POS walk-in without e-mail, phone or addresses',
      node({
        sourceName: 'pos',
        canNotifyCustomer: false,
        phone: null,
        shippingAddress: null,
        billingAddress: null,
      }),
      [false, false, false, false, false],
    ],
    [
      'an order whose only phone is on the billing address',
      node({ phone: null, shippingAddress: { phone: '' }, billingAddress: { phone: '+1 555-010-0100' } }),
      [true, true, true, false, true],
    ],
    [
      'an order with a shipping address but no phone anywhere',
      node({ phone: null, shippingAddress: { phone: null }, billingAddress: null }),
      [true, false, true, false, false],
    ],
  ] as const)(
    'flags what is present in %s, and no customer flag (the customer is not read)',
    (_, order, expected) => {
      const [hasEmail, hasPhone, hasShippingAddress, hasShippingPhone, hasBillingAddress] = expected;
      expect(toOrderSnapshot(order).flags).toEqual({
        hasEmail,
        hasPhone,
        hasShippingAddress,
        hasShippingPhone,
        hasBillingAddress,
      });
    },
  );

  it('keeps no personal value', () => {
    const text = JSON.stringify(toOrderSnapshot(node()));
    for (const value of ['555-010-0199']) {
      expect(text).not.toContain(value);
    }
  });

  it('falls back to the gid for the id when legacyResourceId is missing', () => {
    expect(toOrderSnapshot(node({ legacyResourceId: null })).orderId).toBe('5000000000123');
  });

  it('keeps every digit of an id above 2^53', () => {
    const big = node({
      id: 'gid://shopify/Order/820982911946154508',
      legacyResourceId: '820982911946154508',
    });
    expect(toOrderSnapshot(big).orderId).toBe('820982911946154508');
    expect(toOrderSnapshot({ ...big, legacyResourceId: null }).orderId).toBe('820982911946154508');
  });

  it('refuses an answer whose two ids disagree rather than guess', () => {
    expect(() => toOrderSnapshot(node({ legacyResourceId: '820982911946154500' }))).toThrow(
      UnexpectedOrderIdError,
    );
  });
});

describe('Shopify ids, links and search', () => {
  it.each([
    ['5000000000123', 'gid://shopify/Order/5000000000123'],
    [' 5000000000123 ', 'gid://shopify/Order/5000000000123'],
    ['gid://shopify/Order/5000000000123', 'gid://shopify/Order/5000000000123'],
    ['#1123', undefined],
    ['gid://shopify/Customer/1', undefined],
  ])('turns %s into the gid %s', (input, gid) => {
    expect(orderGid(input)).toBe(gid);
  });

  it('links to the order in the new Shopify admin', () => {
    expect(shopifyOrderUrl('acme-store.myshopify.com', '5000000000123')).toBe(
      'https://admin.shopify.com/store/acme-store/orders/5000000000123',
    );
    expect(shopifyOrderUrl('acme-store.myshopify.com', 'gid://shopify/Order/42')).toBe(
      'https://admin.shopify.com/store/acme-store/orders/42',
    );
  });

  it('searches a half-open updated_at window, widened to whole seconds', () => {
    expect(
      updatedWindowQuery(Date.parse('2026-11-02T10:00:00.250Z'), Date.parse('2026-11-02T10:15:00.250Z')),
    ).toBe("updated_at:>='2026-11-02T10:00:00Z' AND updated_at:<'2026-11-02T10:15:01Z'");
    expect(updatedWindowQuery(Date.parse('2026-11-02T10:00:00Z'), Date.parse('2026-11-02T10:15:00Z'))).toBe(
      "updated_at:>='2026-11-02T10:00:00Z' AND updated_at:<'2026-11-02T10:15:00Z'",
    );
  });
});
