/**
 * Turns the error text of a failed Shopify Order MDM record into a plain-language cause and the runbook's fix, so
 * nobody has to paste HotWax errors into an AI tool to understand them. Pure: text in, classification out.
 *
 * Texts from HotWax's documentation (hotwax-api.md): the common missing customer address / phone number (exact
 * wording unpublished, so matched loosely), `E-mail address not formatted correctly, must be like:
 * name@domain`, `Rollback called in Entity Engine SQLProcessor` (emoji or special characters in the order note),
 * `Valid fields are missing in order JSON`, `Connection timeout`, and
 * `Service [createShopifyOrder] target threw an unexpected exception (null)`.
 */

export const importErrorCauses = [
  'missing_phone',
  'missing_address',
  'invalid_email',
  'special_characters',
  'missing_fields',
  'connection_timeout',
  'unknown',
] as const;
export type ImportErrorCause = (typeof importErrorCauses)[number];

export interface ImportErrorClassification {
  cause: ImportErrorCause;
  /** retrying the import can succeed without anybody changing anything */
  transient: boolean;
  /** a person must correct the order in Shopify admin; the monitor re-imports once Shopify's copy changes */
  fixInShopify: boolean;
  title: string;
  explanation: string;
  fix: string;
}

const reimport = 'The monitor notices the change in Shopify and re-imports the order into HotWax.';

const catalog: Record<Exclude<ImportErrorCause, 'unknown'>, Omit<ImportErrorClassification, 'cause'>> = {
  missing_phone: {
    transient: false,
    fixInShopify: true,
    title: 'Phone number missing or invalid',
    explanation:
      "HotWax could not import this order because the customer's shipping address has no usable phone number, and HotWax requires one to create the order.",
    fix: `Add the phone number to the customer's shipping address in Shopify admin (Orders › open the order › Shipping address › Edit), then save. ${reimport}`,
  },
  missing_address: {
    transient: false,
    fixInShopify: true,
    title: 'Customer address missing or incomplete',
    explanation:
      'HotWax could not import this order because its shipping address is missing or incomplete (street, city, postal code or country), and HotWax needs a complete address to create the order.',
    fix: `Add the missing address details to the order's shipping address in Shopify admin (Orders › open the order › Shipping address › Edit), then save. ${reimport}`,
  },
  invalid_email: {
    transient: false,
    fixInShopify: true,
    title: 'Customer email address invalid',
    explanation:
      "HotWax could not import this order because the customer's email address is missing or not a valid address (it must look like name@domain).",
    fix: `Correct the customer's email address in Shopify admin (Orders › open the order › Customer › Edit contact information) so it looks like name@domain, then save. ${reimport}`,
  },
  special_characters: {
    transient: false,
    fixInShopify: true,
    title: 'Emoji or special characters in the order',
    explanation:
      "HotWax's database refused to save this order because it contains emoji or other special characters, usually in the order note.",
    fix: `Remove the emoji and special characters from the order note (and from names or address lines if they have any) in Shopify admin (Orders › open the order › Notes › Edit), then save. ${reimport}`,
  },
  missing_fields: {
    transient: false,
    fixInShopify: true,
    title: 'Order details missing',
    explanation:
      'HotWax could not import this order because details it needs are missing from the order Shopify sent (for example the customer, the shipping address or the line items).',
    fix: `Open the order in Shopify admin and complete what is missing (customer, shipping address, line items), then save. ${reimport} If nothing is missing, the monitor escalates to HotWax support with the raw error.`,
  },
  connection_timeout: {
    transient: true,
    fixInShopify: false,
    title: 'Temporary connection problem',
    explanation:
      'HotWax lost or timed out its connection while importing this order. This is temporary and not a problem with the order.',
    fix: 'Nothing to do: the monitor runs the import again automatically and only alerts a person if it keeps failing.',
  },
};

const unknownFix =
  'Nothing in the order is known to be wrong. The monitor retries the import; if it keeps failing it escalates to HotWax support with a support bundle (timeline, this error, job and log ids). To speed things up, send the raw error below to HotWax support.';

// What counts as a problem next to a subject such as "phone" or "address".
const problemPattern =
  /\b(?:missing|required|mandatory|null|empty|blank|absent|incomplete|undefined|invalid|not\s+valid|not\s+formatted|malformed|wrong|no|without|(?:is|are|was|were)\s+not\s+(?:found|provided|present|set|available|given|specified)|cannot\s+be|can't\s+be|must\s+(?:not\s+)?be|must\s+have|not\s+(?:found|provided|present|set|available|given|specified))\b/i;

const phonePattern =
  /(?:tele)?phone|\btel\b|telecom|contact\s*(?:number|no\b)|mobile(?:\s*(?:number|no\b))?|cell\s*(?:number|no\b)/i;

const addressPattern =
  /(?<!e-?mail[\s_-]*)(?:(?:shipping|billing|postal|street|customer|delivery|ship[\s-]?to|bill[\s-]?to)[\s_-]*)?address(?:[\s_-]*(?:1|2|line\s*\d?))?|postal[\s_-]*code|post[\s_-]*code|\bzip(?:[\s_-]*code)?\b|\bcountry(?:geoid|code)?\b|\bstate[\s_-]*province(?:[\s_-]*geo[\s_-]*id)?\b|\bprovince\b|\bcity\b|\bcontact[\s_-]*mech/i;

const emailPattern = /(?<![a-z])e-?mail/i;

const hasProblem = (clause: string): boolean => problemPattern.test(clause);

const subjectPatterns = [
  ['missing_phone', phonePattern],
  ['missing_address', addressPattern],
  ['invalid_email', emailPattern],
] as const;

const classification = (cause: Exclude<ImportErrorCause, 'unknown'>): ImportErrorClassification => ({
  cause,
  ...catalog[cause],
});

/**
 * Classifies an import error text. Order matters: an explicit encoding error beats the generic rollback wrapper
 * around it, a timeout beats everything else it may be wrapped in, and a specific subject (phone, address) beats
 * the generic "fields are missing".
 */
export const classifyImportError = (errorText: string): ImportErrorClassification => {
  const text = errorText.replace(/\s+/g, ' ').trim();

  if (
    /incorrect string value|\\x[Ff]0|emoji|special characters?|utf-?8mb4|invalid (?:utf-?8 )?character/i.test(
      text,
    )
  ) {
    return classification('special_characters');
  }
  if (
    /connection\s*(?:time(?:d)?\s*-?\s*out|timeout|reset|refused|closed)|\btimed?\s*-?\s*out\b|\btimeout\b|sockettimeout|communications link failure|temporarily unavailable|service unavailable|lock wait|deadlock/i.test(
      text,
    )
  ) {
    return classification('connection_timeout');
  }
  if (/rollback called in entity engine sqlprocessor/i.test(text))
    return classification('special_characters');
  if (/not formatted correctly|name@domain/i.test(text)) return classification('invalid_email');

  // A subject counts when a problem word shares its clause. Phone wins over address ("phone is missing in the
  // shipping address"), and both over email (the customer is often named by email next to the real problem).
  const clauses = text.split(/[.;!?|]+(?:\s|$)/).filter((clause) => hasProblem(clause));
  for (const [cause, pattern] of subjectPatterns) {
    if (clauses.some((clause) => pattern.test(clause))) return classification(cause);
  }

  if (
    /valid fields are missing|fields? (?:is |are )?missing|missing (?:required )?fields?|required fields?|mandatory fields?/i.test(
      text,
    )
  ) {
    return classification('missing_fields');
  }

  if (/target threw an unexpected exception \(null\)/i.test(text)) {
    return {
      cause: 'unknown',
      transient: false,
      fixInShopify: false,
      title: 'HotWax import crashed without a reason',
      explanation:
        "HotWax's order import service stopped with an empty (null) error. It often means a value HotWax expects is empty in the order, such as the customer's address or phone, but it can also be a problem inside HotWax.",
      fix: `Check the order in Shopify admin for a missing customer, shipping address or phone number and add what is missing; the monitor then re-imports it. ${unknownFix}`,
    };
  }

  return {
    cause: 'unknown',
    transient: false,
    fixInShopify: false,
    title: 'Technical import error',
    explanation:
      text === ''
        ? 'HotWax recorded the order as failed without an error message.'
        : 'HotWax could not import this order and gave a technical error the monitor does not recognise. The raw error is shown as HotWax wrote it.',
    fix: unknownFix,
  };
};
