import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../shared/adapters/slack/block-kit.js';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import type { ImportFailure, Notification } from '../../shared/domain/ports.js';
import { assessOrder } from '../../shared/domain/runbook/assess.js';
import { decide } from '../../shared/domain/runbook/decide.js';
import type { RunbookSettings } from '../../shared/domain/runbook/settings.js';
import { safeErrorText } from '../../shared/domain/safe-error-text.js';
import { ofbizCapabilities } from '../support/fake-ports.js';
import { webOrderFacts } from '../support/order-fixtures.js';

/**
 * #11 §6: HotWax's error texts quote the failed record. Whatever the adapters cut out, the domain keeps only the
 * words that name the failure, so no name, e-mail, phone or street is stored, served or sent.
 */
const probes = {
  name: ['Marta', 'Kowalczyk'],
  email: ['marta.kowalczyk@example.org', 'kowalczyk'],
  phone: ['+48 601 234 567', '601 234 567', '234', '567'],
  street: ['Evergreen', 'Terrace', '742 Evergreen Terrace'],
  city: ['Springfield'],
};
const allProbes = Object.values(probes).flat();

/** Texts as HotWax might write them about the order of Marta Kowalczyk, 742 Evergreen Terrace. */
const leakyTexts = [
  'Phone number is missing for customer Marta Kowalczyk (marta.kowalczyk@example.org)',
  'Shipping address 742 Evergreen Terrace, Springfield is incomplete: postalCode must not be null',
  "Invalid phone '+48 601 234 567' for party Marta Kowalczyk",
  'E-mail address marta.kowalczyk@example.org not formatted correctly, must be like: name@domain',
  'Order {"customer":{"first_name":"Marta","last_name":"Kowalczyk","phone":"601 234 567"}} failed: contactNumber is null',
  "Rollback called in Entity Engine SQLProcessor [Incorrect string value: 'Marta 🎁' for column 'NOTE_TEXT']",
];

const expectNoProbe = (text: string) => {
  for (const probe of allProbes) expect(text).not.toContain(probe);
};

describe('safeErrorText', () => {
  it.each(leakyTexts)('keeps no name, e-mail, phone or street of %j', (text) => {
    expectNoProbe(safeErrorText(text));
  });

  it.each([
    ['Phone number is missing in the shipping address of the order'],
    ['Service [createShopifyOrder] target threw an unexpected exception (null)'],
    ['java.lang.IllegalStateException: Illegal state in order processing'],
    ['postalCode must not be null; countryGeoId is null for PHONE_SHIPPING'],
    ['Required fields missing: line_items'],
    ['Lock wait timeout exceeded; try restarting transaction'],
  ])('keeps %j, which names only what failed', (text) => {
    expect(safeErrorText(text)).toBe(text);
  });

  it('keeps the words that name the failing field of a text that also quotes values', () => {
    expect(safeErrorText(leakyTexts[1] ?? '')).toBe(
      'Shipping address … is incomplete: postalCode must not be null',
    );
    expect(safeErrorText(leakyTexts[0] ?? '')).toBe('Phone number is missing for customer …');
  });

  it('is idempotent, so every boundary may apply it again', () => {
    for (const text of leakyTexts) expect(safeErrorText(safeErrorText(text))).toBe(safeErrorText(text));
  });
});

describe('a failed import whose error text quotes the customer', () => {
  const t0 = Date.parse('2026-11-29T10:00:00Z');
  const settings: RunbookSettings = {
    createdStuckAfterMs: 3_600_000,
    fulfilledGraceMs: 300_000,
    verifyDelayMs: 300_000,
    maxRepairAttempts: 1,
    recheckMs: 900_000,
    maxRecheckMs: 21_600_000,
  };
  const record = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({
    ...webOrderFacts(t0, { shop: 'acme.myshopify.com', orderId: '5100' }),
    state: 'pending_check',
    stateSince: t0,
    expectation: 'created',
    nextCheckAt: t0 + 600_000,
    repairAttempts: 0,
    version: 1,
    firstSeenAt: t0,
    source: 'webhook',
    ...overrides,
  });
  const failure = (errorText: string): ImportFailure => ({
    shopifyOrderId: '5100',
    logId: 'LOG-1',
    createdDate: t0 + 60_000,
    errorText,
  });
  const decideWith = (given: OrderRecord, errorText: string) => {
    const { shop: _shop, ...facts } = given;
    const shopify = { ...facts, displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'UNFULFILLED' };
    const evidence = { versions: [], shopify, importFailure: failure(errorText) };
    const now = t0 + 600_000;
    const { assessment } = assessOrder(given, [], now, settings);
    return decide(given, assessment, evidence, { now, settings, capabilities: ofbizCapabilities });
  };

  it.each(leakyTexts)(
    'keeps none of it in the record, the timeline, the alert or the support bundle: %j',
    (text) => {
      for (const given of [record(), record({ repairAttempts: 1, state: 'reimport_requested' })]) {
        const decision = decideWith(given, text);
        expectNoProbe(JSON.stringify(decision.record));
        expectNoProbe(JSON.stringify(decision.events));
        if (decision.notify) {
          expectNoProbe(JSON.stringify(decision.notify));
          const notification = {
            ...decision.notify,
            shop: given.shop,
            at: t0,
          } as Notification;
          expectNoProbe(JSON.stringify(renderMessage({ kind: 'notification', notification, now: t0 })));
        }
      }
    },
  );
});
