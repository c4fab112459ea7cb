import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledShopsFile } from '../../infra/constructs/app-function.js';
import { logicalId, synthTestApp } from './support/test-app.js';

const shopsFile = join(import.meta.dirname, 'fixtures', 'shops.json');
let built: ReturnType<typeof synthTestApp>;

beforeAll(() => {
  built = synthTestApp({ shopsFile, SHOPIFY_SHOP: undefined });
});

const alarmNames = () =>
  Object.values(built.statelessTemplate.findResources('AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties.AlarmName as string,
  );

const environmentOf = (fn: { node: { defaultChild?: unknown } }) =>
  built.statelessTemplate.toJSON().Resources[logicalId(built.stateless, fn)].Properties.Environment
    .Variables as Record<string, unknown>;

describe('several shops in one deployment (-c shopsFile=…)', () => {
  it('has the per-shop alarms once per shop, named after it, and the others once', () => {
    const names = alarmNames();
    for (const alarm of [
      'NoWebhooksReceived',
      'SweepFoundMissedWebhooks',
      'WebhookSubscriptionsMissing',
      'SyncSloBreached',
    ]) {
      expect(names.filter((name) => name.endsWith(`-${alarm}`))).toEqual([]);
      expect(names.filter((name) => name.includes(`-${alarm}-`)).sort()).toEqual([
        expect.stringMatching(new RegExp(`-${alarm}-acme-eu$`)),
        expect.stringMatching(new RegExp(`-${alarm}-acme-us$`)),
      ]);
    }
    expect(names.filter((name) => name.endsWith('-OrderEscalated'))).toHaveLength(1);
    expect(names.filter((name) => name.endsWith('-CheckDlqNotEmpty'))).toHaveLength(1);
  });

  it("reads each shop's alarm metric with its shop dimension and names the shop in the description", () => {
    const alarms = Object.values(built.statelessTemplate.findResources('AWS::CloudWatch::Alarm'));
    const eu = alarms.find((alarm) =>
      String(alarm.Properties.AlarmName).endsWith('-NoWebhooksReceived-acme-eu'),
    );
    expect(eu?.Properties.Dimensions).toEqual(
      expect.arrayContaining([{ Name: 'shop', Value: 'acme-eu.myshopify.com' }]),
    );
    expect(eu?.Properties.AlarmDescription).toMatch(/^acme-eu\.myshopify\.com: No webhook arrived/);
  });

  it('bundles the file with the functions that serve shops, and only those', () => {
    const { webhookFunction, checkerFunction, sweeperFunction, notifierFunction, doctorFunction } =
      built.stateless;
    for (const fn of [webhookFunction, checkerFunction, sweeperFunction, notifierFunction, doctorFunction]) {
      expect(environmentOf(fn).SHOPS_FILE).toBe(bundledShopsFile);
    }
    for (const fn of [built.stateless.apiFunction, built.stateless.slackFunction]) {
      expect(environmentOf(fn).SHOPS_FILE).toBeUndefined();
    }
  });

  it('keeps the webhook function to the webhook secret: no shop admin token reaches it', () => {
    const env = environmentOf(built.stateless.webhookFunction);
    expect(String(JSON.stringify(env.CONFIG_SECRET_ARNS))).not.toMatch(/Credentials/i);
  });

  it('has a by-shop row on the dashboard', () => {
    const [dashboard] = Object.values(built.statelessTemplate.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    expect(body).toContain('Webhooks received, by shop');
    expect(body).toContain('acme-us.myshopify.com');
    expect(body).toContain('acme-eu.myshopify.com');
  });

  it('stays cdk-nag clean', () => {
    expect(new AwsSolutionsChecks().validateScope(built.app).violations).toEqual([]);
  });

  it('refuses at synth a shops file with problems, listing each', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'shops-')), 'shops.json');
    writeFileSync(broken, JSON.stringify({ shops: [{ shop: 'acme.example.com', hotwax: {}, secrets: {} }] }));
    expect(() => synthTestApp({ shopsFile: broken })).toThrow(
      /shopsFile: SHOPS_FILE .*shops\[0\] \(acme\.example\.com\) shop must look like/,
    );
  });
});
