import { fileURLToPath } from 'node:url';

/** The repository root: entries and the lock file are resolved from here, whatever the working directory. */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Lets CommonJS dependencies bundled into the ESM output call `require` (e.g. for Node built-ins). The import is
 * aliased so it cannot clash with a top-level `createRequire` in bundled code.
 */
export const esmRequireBanner =
  "import { createRequire as __appCreateRequire } from 'node:module'; const require = __appCreateRequire(import.meta.url);";

/**
 * Module substitutions of the webhook function's bundle (the hot path Shopify waits on): the DynamoDB and SQS
 * clients become lean ones that send the webhook's few operations as the SDK does (`shared/adapters/aws/lean-*.ts`),
 * and the SDK's default credential chain its first link, the Lambda environment. The SDK clients were two thirds
 * of the bundle and half of its cold start. The bench, the bundle test and the webhook tests' bundle project
 * build with the same map, so what they measure and test is what is deployed.
 */
export const webhookBundleAliases: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': `${projectRoot}shared/adapters/aws/env-credentials.ts`,
  '@aws-sdk/client-dynamodb': `${projectRoot}shared/adapters/aws/lean-dynamodb.ts`,
  '@aws-sdk/lib-dynamodb': `${projectRoot}shared/adapters/aws/lean-dynamodb.ts`,
  '@aws-sdk/client-sqs': `${projectRoot}shared/adapters/aws/lean-sqs.ts`,
};

/** esbuild's options for a function, as `AppFunction` passes them to the CDK (the bench and tests reuse them). */
export const functionBuildOptions = (aliases: Readonly<Record<string, string>> = {}) => ({
  bundle: true,
  minify: true,
  platform: 'node' as const,
  target: 'node24',
  format: 'esm' as const,
  // Prefer packages' ESM builds so esbuild can tree-shake them.
  mainFields: ['module', 'main'],
  banner: { js: esmRequireBanner },
  alias: { ...aliases },
});
