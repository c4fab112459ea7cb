import { describe, expect, it } from 'vitest';
import {
  channelFromSource,
  parseOrderPayload,
  toOrderFacts,
  UnparseablePayloadError,
} from '../../shared/domain/shopify-order-payload.js';
import { dedupeKey, normaliseTopic } from '../../shared/domain/webhook-topics.js';
import { buildOrderPayload } from '../../sim/shopify/order-payload.js';

describe('Shopify order payload', () => {
  it.each([
    ['pos', 'pos'],
    ['POS', 'pos'],
    ['web', 'web'],
    ['shopify_draft_order', 'other'],
    ['1234567', 'other'],
    [null, 'other'],
  ])('maps source_name %s to channel %s', (source, channel) => {
    expect(channelFromSource(source)).toBe(channel);
  });

  it('keeps presence flags, never the personal data', () => {
    const facts = toOrderFacts('acme.myshopify.com', parseOrderPayload(JSON.stringify(buildOrderPayload())));
    expect(facts.flags).toEqual({
      hasCustomer: true,
      hasEmail: true,
      hasPhone: true,
      hasShippingAddress: true,
      hasShippingPhone: true,
      hasBillingAddress: true,
    });
    expect(JSON.stringify(facts)).not.toMatch(/ada@example|555-010|Test Street/);
  });

  it('accepts the id as a string and tolerates unknown fields', () => {
    const payload = { ...buildOrderPayload({ id: 42 }), id: '42', brand_new_field: { nested: true } };
    expect(parseOrderPayload(JSON.stringify(payload)).id).toBe('42');
  });

  describe('reads the order id without losing a digit', () => {
    const big = '820982911946154508';
    const base = () => {
      const { admin_graphql_api_id: _gid, id: _id, ...rest } = buildOrderPayload();
      return rest;
    };

    it('from admin_graphql_api_id, even beside a REST id JSON.parse has rounded', () => {
      const body = JSON.stringify({
        ...base(),
        id: 820982911946154500,
        admin_graphql_api_id: `gid://shopify/Order/${big}`,
      });
      expect(parseOrderPayload(body).id).toBe(big);
    });

    it('from the digits of the body when there is no gid', () => {
      const body = JSON.stringify({ ...base(), id: 0 }).replace('"id":0', `"id":${big}`);
      expect(parseOrderPayload(body).id).toBe(big);
      expect(parseOrderPayload(Buffer.from(body)).id).toBe(big);
    });

    it('ignores nested ids (line items, customer) when reading the order id', () => {
      const body = JSON.stringify({ ...base(), customer: { id: 1 }, id: 0 }).replace('"id":0', `"id":${big}`);
      expect(parseOrderPayload(body).id).toBe(big);
    });

    it('from a plain integer that a double holds exactly', () => {
      expect(parseOrderPayload(JSON.stringify({ ...base(), id: 5_000_000_000_123 })).id).toBe(
        '5000000000123',
      );
    });
  });

  it('refuses bytes that are not valid UTF-8, so the delivery is quarantined', () => {
    const bytes = Buffer.concat([Buffer.from(JSON.stringify(buildOrderPayload())), Buffer.from([0xff])]);
    expect(() => parseOrderPayload(bytes)).toThrow(new UnparseablePayloadError('body is not valid UTF-8'));
  });

  it.each([
    ['not JSON', '{"id": 1', /not JSON/],
    [
      'an order with neither id nor gid',
      JSON.stringify({ name: '#1', created_at: '2026-11-02T10:00:00Z', updated_at: '2026-11-02T10:00:00Z' }),
      /id/,
    ],
    ['an array', '[1,2]', /schema/],
    ['a bad created_at', JSON.stringify({ ...buildOrderPayload(), created_at: 'yesterday' }), /created_at/],
    ['a negative id', JSON.stringify({ ...buildOrderPayload(), id: -1 }), /id/],
  ])('refuses %s with a clear error that echoes no values', (_name, body, message) => {
    expect(() => parseOrderPayload(body)).toThrow(UnparseablePayloadError);
    expect(() => parseOrderPayload(body)).toThrow(message);
  });
});

describe('webhook dedupe keys and topics', () => {
  it('prefers the event id over the webhook id', () => {
    expect(dedupeKey('s', { eventId: 'e1', webhookId: 'w1' })).toBe('s#e1');
    expect(dedupeKey('s', { webhookId: 'w1' })).toBe('s#w1');
    expect(dedupeKey('s', {})).toBeUndefined();
  });

  it('normalises GraphQL topic names', () => {
    expect(normaliseTopic('ORDERS_CREATE')).toBe('orders/create');
    expect(normaliseTopic('orders/fulfilled')).toBe('orders/fulfilled');
  });
});
