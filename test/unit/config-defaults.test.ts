import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  apiSchema,
  checkerFields,
  checkerSchema,
  diagnoseSchema,
  doctorFields,
  doctorSchema,
  hotwaxFields,
  localFields,
  localSchema,
  notifierFields,
  notifierSchema,
  parseConfig,
  shopifyAdminFields,
  slackFields,
  slackInteractionsFields,
  slackRepliesFields,
  sweeperFields,
  sweeperSchema,
  sweepFields,
  tableFields,
  timingFields,
  webhookFields,
  webhookSchema,
} from '../../shared/config/config.js';
import { shopSettingsFromConfig, sweepSettingsFromConfig } from '../../shared/config/settings.js';

/**
 * Every default a person reads (README's configuration section, `.env.example`) is the schema's, every documented
 * variable exists, and every variable of the schema is documented with its default. A minimal environment (only what
 * `.env.example` asks for) starts every part of the monitor.
 */
const repo = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const envExample = readFileSync(join(repo, '.env.example'), 'utf8');

const groups = [
  tableFields,
  shopifyAdminFields,
  hotwaxFields,
  timingFields,
  sweepFields,
  slackFields,
  notifierFields,
  webhookFields,
  checkerFields,
  sweeperFields,
  doctorFields,
  localFields,
  slackInteractionsFields,
  slackRepliesFields,
];
const fields: Record<string, z.ZodType> = Object.assign({}, ...groups.map((group) => group.shape));

/** Set by the deployment (CDK, Lambda) or by npm start for its emulators, never by a person. */
const resources = new Set([
  'AWS_REGION',
  'TABLE_NAME',
  'CHECK_QUEUE_URL',
  'NOTIFY_QUEUE_URL',
  'SLACK_REPLY_QUEUE_URL',
  'QUARANTINE_BUCKET',
  'DYNAMODB_ENDPOINT',
  'SQS_ENDPOINT',
  'S3_ENDPOINT',
]);

/** Defaults that depend on something else, so no value can be written down: where each one is decided. */
const derived: Record<string, string> = {
  HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: 'HOTWAX_SHOPIFY_CONFIG_ID (shared/wiring/shops.ts)',
  HOTWAX_ORDER_URL_TEMPLATE: 'per backend (the OFBiz and Maarg ports)',
  HOTWAX_IMPORT_ORDER_PAYLOAD: "the OFBiz port's (its .env.example line is that example)",
};

/** The schema's default of a variable: `{ value }`, or undefined when it has none (optional or required). */
const schemaDefault = (name: string): { value: string } | undefined => {
  const field = fields[name];
  if (!field) throw new Error(`${name} is not in the schema`);
  const parsed = field.safeParse(undefined);
  return parsed.success && parsed.data !== undefined ? { value: String(parsed.data) } : undefined;
};

const names = (text: string) =>
  [...text.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)].map((match) => match[1] as string);

/** README › Configuration for a real store: the variables table and the list of additions. */
const readmeSection = readme.slice(
  readme.indexOf('## Configuration for a real store'),
  readme.indexOf('### The Shopify app'),
);
const additions = readmeSection.slice(
  readmeSection.indexOf("The design's table doesn't list these additions"),
);
const tableRows = readmeSection
  .split('\n')
  .filter((line) => /^\| `[A-Z]/.test(line))
  .map((line) => line.split('|').map((cell) => cell.trim()));
const readmeDefaults: Array<[string, string]> = [
  ...tableRows.flatMap(([, variable = '', meaning = '']): Array<[string, string]> => {
    const [only, ...others] = names(variable);
    const value = /default `?([^`\s,;)]+)`?/.exec(meaning)?.[1];
    return only && others.length === 0 && value ? [[only, value]] : [];
  }),
  // The list of additions: "- `NAME` (value): …", also several per bullet, lines joined first.
  ...[...additions.replace(/\n\s+/g, ' ').matchAll(/`([A-Z][A-Z0-9_]+)` \(`?([^`)]+)`?\)/g)].map(
    (match): [string, string] => [match[1] as string, match[2] as string],
  ),
];
// Every backticked upper-case name, except HotWax's own names and the default values themselves (`UTC`).
const readmeValues = new Set(readmeDefaults.map(([, value]) => value));
const readmeNames = new Set(
  names(readmeSection).filter(
    (name) => !/^(ACCESS_DENIED|JOB_|SYNC_|UPDATE_)/.test(name) && !readmeValues.has(name),
  ),
);

const envLines = envExample.split('\n');
const envCommented = envLines.flatMap((line): Array<[string, string]> => {
  const match = /^# ([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
  return match ? [[match[1] as string, match[2] as string]] : [];
});
const envRequired = envLines.flatMap((line) => {
  const match = /^([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
  return match ? [match[1] as string] : [];
});

describe('the documented configuration', () => {
  it('finds what it checks', () => {
    expect(tableRows.length).toBeGreaterThan(20);
    expect(readmeDefaults.length).toBeGreaterThan(20);
    expect(envCommented.length).toBeGreaterThan(25);
    expect(envRequired).toContain('SHOPIFY_WEBHOOK_SECRET');
  });

  it('names only variables the schema has', () => {
    const documented = new Set([...readmeNames, ...envCommented.map(([name]) => name), ...envRequired]);
    expect([...documented].filter((name) => !(name in fields))).toEqual([]);
  });

  it.each(readmeDefaults)("README's default of %s is the schema's: %s", (name, value) => {
    if (name in derived) expect(value).toMatch(/^(per|[A-Z][A-Z0-9_]+)$/);
    else expect(schemaDefault(name)).toEqual({ value });
  });

  it.each(envCommented)(".env.example's commented %s shows the schema's default (%s)", (name, value) => {
    if (name in derived) return;
    expect(schemaDefault(name)).toEqual(value === '' ? undefined : { value });
  });

  it(".env.example's uncommented settings have no default: they are the ones to fill in", () => {
    expect(envRequired.filter((name) => schemaDefault(name) !== undefined)).toEqual([]);
  });

  it('documents every variable of the schema, and every default with its value', () => {
    const documented = new Set([...readmeNames, ...envCommented.map(([name]) => name), ...envRequired]);
    const people = Object.keys(fields).filter((name) => !resources.has(name));
    expect(people.filter((name) => !documented.has(name))).toEqual([]);
    const withValue = new Map([...readmeDefaults, ...envCommented.filter(([, value]) => value !== '')]);
    const undocumentedDefaults = people.filter(
      (name) => schemaDefault(name) !== undefined && !withValue.has(name),
    );
    expect(undocumentedDefaults).toEqual([]);
    for (const name of Object.keys(derived)) expect(schemaDefault(name)).toBeUndefined();
  });
});

describe('a minimal environment', () => {
  /** What .env.example asks a person for (its uncommented lines), with values; one of the two credentials. */
  const person: Record<string, string> = {
    SHOPIFY_WEBHOOK_SECRET: 'shpss_minimal',
    SHOPIFY_SHOP: 'minimal.myshopify.com',
    SHOPIFY_ADMIN_TOKEN: 'shpat_minimal',
    HOTWAX_BASE_URL: 'https://minimal.hotwax.io',
    HOTWAX_API_TOKEN: 'jwt',
    HOTWAX_SHOPIFY_CONFIG_ID: 'CONFIG',
    HOTWAX_SHOP_ID: 'SHOP',
    HOTWAX_PRODUCT_STORE_ID: 'STORE',
  };
  const deployment = {
    TABLE_NAME: 'order-sync',
    CHECK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/checks',
    NOTIFY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/notifications',
    QUARANTINE_BUCKET: 'quarantine',
  };

  it('is exactly what .env.example leaves uncommented', () => {
    expect(envRequired.sort()).toEqual(Object.keys(person).sort());
  });

  it.each([
    ['npm start', localSchema],
    ['npm run cli -- diagnose', diagnoseSchema],
    ['doctor', doctorSchema],
    ['the webhook function', webhookSchema],
    ['the api function', apiSchema],
    ['the checker', checkerSchema],
    ['the sweeper', sweeperSchema],
    ['the notifier', notifierSchema],
  ] as const)('starts %s with nothing else set', (_name, schema) => {
    expect(() => parseConfig(schema, { ...person, ...deployment })).not.toThrow();
  });

  it('gives the runbook and the sweep the documented timings', () => {
    const config = parseConfig(checkerSchema, { ...person, ...deployment });
    expect(shopSettingsFromConfig(config)).toMatchObject({
      checkDelayMs: 600_000,
      fulfilledCheckDelayMs: 300_000,
      createdStuckAfterMs: 3_600_000,
      verifyDelayMs: 300_000,
      maxRepairAttempts: 3,
      recheckMs: 900_000,
      reimportCooldownMs: 120_000,
    });
    const sweep = sweepSettingsFromConfig(parseConfig(sweeperSchema, { ...person, ...deployment }));
    expect(sweep).toMatchObject({
      intervalMs: 900_000,
      overlapMs: 300_000,
      lookbackMs: 3_600_000,
      maxWindowMs: 3_600_000,
      settleMs: 60_000,
      overdueGraceMs: 900_000,
      restoreSubscriptions: false,
      webhookCallbackUrl: undefined,
    });
    expect(parseConfig(localSchema, person)).toMatchObject({
      PORT: 3000,
      LOCAL_DATA_DIR: '.data',
      LOG_LEVEL: 'ERROR',
      SANDBOX: false,
      SHOPIFY_API_VERSION: '2026-10',
      HOTWAX_BACKEND: 'auto',
      HOTWAX_ORDER_MDM_CONFIG_ID: 'CRT_SHOPIFY_ORDER',
      HOTWAX_TIME_ZONE: 'UTC',
      HOTWAX_TIMEOUT_MS: 10_000,
      SHOPIFY_TIMEOUT_MS: 10_000,
    });
    expect(parseConfig(notifierSchema, deployment).NOTIFY_STORM_THRESHOLD).toBe(10);
  });
});
