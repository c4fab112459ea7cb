import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { functionBuildOptions, projectRoot, webhookBundleAliases } from '../infra/constructs/bundling.js';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * The webhook function as Lambda runs it: built as the CDK bundles it (`functionBuildOptions` with the webhook's
 * aliases: the lean DynamoDB and SQS clients instead of the SDK's), then imported, so `npm start` answers Shopify
 * with the deployed code rather than with the SDK clients the other functions use. Its modules are its own copies,
 * as in Lambda; it reads the environment as it finds it when imported, and what it saves is heard through the
 * process's listeners (`shared/adapters/process-listeners.ts`). The built file is removed once loaded.
 */
export const importWebhookFunction = async (): Promise<HttpHandler> => {
  const dir = await mkdtemp(join(tmpdir(), 'osm-webhook-function-'));
  try {
    const file = join(dir, 'index.mjs');
    await build({
      ...functionBuildOptions(webhookBundleAliases),
      entryPoints: [join(projectRoot, 'functions/webhook/handler.ts')],
      outfile: file,
      // Stack traces in the terminal name the repository's files, not the minified bundle's lines.
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    return ((await import(pathToFileURL(file).href)) as { handler: HttpHandler }).handler;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
