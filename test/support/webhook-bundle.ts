import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { functionBuildOptions, projectRoot, webhookBundleAliases } from '../../infra/constructs/bundling.js';

export type WebhookHandler = (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Modules as the webhook function's bundle holds them: built as the CDK bundles the function (its aliases to the
 * lean DynamoDB, SQS and credential modules included), then imported natively by Node, so the tests that use it
 * test the deployed code. `source` is the entry's text, its imports relative to the repository root. Each call
 * builds a file of its own: Node caches an imported module for the life of the worker, and a cold start reads the
 * environment it finds. The file sits under node_modules so Vitest leaves it to Node; once loaded it is removed.
 */
export const importBundled = async <Module>(source: string): Promise<Module> => {
  const file = join(projectRoot, 'node_modules/.cache/webhook-bundle', randomUUID(), 'index.mjs');
  await build({
    ...functionBuildOptions(webhookBundleAliases),
    stdin: { contents: source, resolveDir: projectRoot, loader: 'ts' },
    outfile: file,
    logLevel: 'silent',
  });
  try {
    return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Module;
  } finally {
    await rm(dirname(file), { recursive: true, force: true });
  }
};

/** The webhook function as Lambda starts it: a fresh bundle reading the environment (and SHOPS_FILE) it finds. */
export const importWebhookBundle = async (): Promise<WebhookHandler> =>
  (
    await importBundled<{ handler: WebhookHandler }>(
      "export { handler } from './functions/webhook/handler.ts';",
    )
  ).handler;
