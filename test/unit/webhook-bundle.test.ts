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

  it('carries no SDK client: lean DynamoDB and SQS clients, the Lambda environment credentials, no S3 client', async () => {
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
    expect(inputs).toEqual(
      expect.arrayContaining([
        'shared/adapters/aws/lean-dynamodb.ts',
        'shared/adapters/aws/lean-sqs.ts',
        'shared/adapters/aws/env-credentials.ts',
      ]),
    );
    // The SDK's marshalling (util-dynamodb) and signer stay; its clients, protocols and credential chain do not.
    expect(
      inputs.filter((input) =>
        /@aws-sdk\/(client-|lib-dynamodb|credential-provider-|core\/)|@smithy\/(node-http-handler|core\/dist-es\/submodules\/(protocols\/json|schema|retry|client\/smithy-client))/.test(
          input,
        ),
      ),
    ).toEqual([]);
  });
});
