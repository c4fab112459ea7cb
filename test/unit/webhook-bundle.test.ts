import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functionBuildOptions, webhookBundleAliases } from '../../infra/constructs/bundling.js';

describe('the webhook function bundle', () => {
  it('verifies deliveries with node:crypto alone: no Shopify Admin API library in it', async () => {
    // The same bundling as the CDK AppFunction; only the inputs are looked at.
    const result = await build({
      ...functionBuildOptions(webhookBundleAliases),
      entryPoints: ['functions/webhook/handler.ts'],
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('functions/webhook/handler.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('@shopify/'))).toEqual([]);
  });

  it('carries only the Lambda environment link of the credential chain, and no S3 client', async () => {
    const result = await build({
      ...functionBuildOptions(webhookBundleAliases),
      entryPoints: ['functions/webhook/handler.ts'],
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    // What reached the output (a module parsed but shaken away has no bytes in it).
    const output = Object.values(result.metafile.outputs)[0];
    const inputs = Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([name]) => name);
    expect(inputs.some((input) => input.includes('credential-provider-env'))).toBe(true);
    expect(
      inputs.filter((input) => /credential-provider-(node|sso|ini|web-identity)|client-s3\//.test(input)),
    ).toEqual([]);
  });
});
