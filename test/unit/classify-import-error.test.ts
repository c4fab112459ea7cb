import { describe, expect, it } from 'vitest';
import { classifyImportError, type ImportErrorCause } from '../../shared/domain/classify-import-error.js';

describe('classifyImportError', () => {
  const cases: Array<[string, ImportErrorCause]> = [
    // The runbook's common case; HotWax has not published the exact wording.
    ['Phone number is missing in shipping address', 'missing_phone'],
    ['Shipping address phone is required', 'missing_phone'],
    ['Telephone number cannot be empty', 'missing_phone'],
    ['contactNumber is null for PHONE_SHIPPING', 'missing_phone'],
    ['Missing contact number for customer', 'missing_phone'],
    ['No phone found on the order', 'missing_phone'],
    ['Phone number is missing for the customer with email ada@example.com', 'missing_phone'],
    ['Customer address is missing', 'missing_address'],
    ['Shipping address is required', 'missing_address'],
    ['postalCode must not be null', 'missing_address'],
    ['Zip code is missing', 'missing_address'],
    ['countryGeoId is null', 'missing_address'],
    ['Missing shipping address', 'missing_address'],
    ['No address found for order', 'missing_address'],
    // Texts from HotWax's documentation
    ['E-mail address not formatted correctly, must be like: name@domain', 'invalid_email'],
    ['Email address is missing', 'invalid_email'],
    ['Rollback called in Entity Engine SQLProcessor', 'special_characters'],
    [
      "Rollback called in Entity Engine SQLProcessor [Incorrect string value: '\\xF0\\x9F\\x8E\\x81' for column 'NOTE_TEXT']",
      'special_characters',
    ],
    ['Valid fields are missing in order JSON', 'missing_fields'],
    ['Required fields missing: line_items', 'missing_fields'],
    ['Connection timeout', 'connection_timeout'],
    ['Read timed out', 'connection_timeout'],
    [
      'Rollback called in Entity Engine SQLProcessor [Lock wait timeout exceeded; try restarting transaction]',
      'connection_timeout',
    ],
    ['Communications link failure', 'connection_timeout'],
    ['Service [createShopifyOrder] target threw an unexpected exception (null)', 'unknown'],
    ['java.lang.IllegalStateException: Illegal state in order processing', 'unknown'],
    ['', 'unknown'],
  ];

  it.each(cases)('classifies %j as %s', (text, cause) => {
    expect(classifyImportError(text).cause).toBe(cause);
  });

  it('asks a person to add the phone number in Shopify, then lets the monitor re-import', () => {
    const result = classifyImportError('Phone number is missing in shipping address');
    expect(result).toMatchObject({ transient: false, fixInShopify: true });
    expect(result.fix).toMatch(/add the phone number to the customer's shipping address in Shopify admin/i);
    expect(result.fix).toMatch(/re-imports/);
  });

  it('treats a connection timeout as transient: retry, do not alert a person', () => {
    expect(classifyImportError('Connection timeout')).toMatchObject({ transient: true, fixInShopify: false });
  });

  it('sends emoji in the order note to Shopify admin to remove them', () => {
    const result = classifyImportError('Rollback called in Entity Engine SQLProcessor');
    expect(result.fixInShopify).toBe(true);
    expect(result.fix).toMatch(/order note/);
  });

  it('leaves an unrecognised technical error neither transient nor fixable in Shopify', () => {
    expect(classifyImportError('org.apache.ofbiz.entity.GenericEntityException: boom')).toMatchObject({
      cause: 'unknown',
      transient: false,
      fixInShopify: false,
    });
  });

  it('gives every class a plain-language title, explanation and fix', () => {
    for (const [text] of cases) {
      const result = classifyImportError(text);
      expect(result.title.length).toBeGreaterThan(0);
      expect(result.explanation.length).toBeGreaterThan(20);
      expect(result.fix.length).toBeGreaterThan(20);
    }
  });
});
