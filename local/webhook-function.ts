import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { functionBuildOptions, projectRoot, webhookBundleAliases } from '../infra/constructs/bundling.js';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * Modules as the webhook function's bundle holds them: `source` (an entry's text, its imports relative to the
 * repository root) built as the CDK bundles the function (`functionBuildOptions` with the webhook's aliases: the lean
 * DynamoDB, SQS and credential modules instead of the SDK's), then imported natively by Node. Each call builds a file
 * of its own under `under` (Node caches an imported module for the life of the process, and a cold start reads the
 * environment it finds); once loaded the file is removed.
 */
export const importAsWebhookBundle = async <Module>(source: string, under = tmpdir()): Promise<Module> => {
  await mkdir(under, { recursive: true });
  const dir = await mkdtemp(join(under, 'osm-webhook-function-'));
  try {
    const file = join(dir, 'index.mjs');
    await build({
      ...functionBuildOptions(webhookBundleAliases),
      stdin: { contents: source, resolveDir: projectRoot, loader: 'ts' },
      outfile: file,
      // Stack traces name the repository's files, not the minified bundle's lines.
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Module;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/**
 * The webhook function as Lambda runs it, so `npm start` answers Shopify with the deployed code rather than with the
 * SDK clients the other functions use. Its modules are its own copies, as in Lambda; it reads the environment as it
 * finds it when imported, and what it saves is heard through the process's listeners
 * (`shared/adapters/process-listeners.ts`).
 */
export const importWebhookFunction = async (under?: string): Promise<HttpHandler> =>
  (
    await importAsWebhookBundle<{ handler: HttpHandler }>(
      "export { handler } from './functions/webhook/handler.ts';",
      under,
    )
  ).handler;
