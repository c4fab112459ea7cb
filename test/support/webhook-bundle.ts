import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { projectRoot } from '../../infra/constructs/bundling.js';
import { importAsWebhookBundle, importWebhookFunction } from '../../local/webhook-function.js';

export type WebhookHandler = (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/** Under node_modules, so Vitest leaves the built files to Node. */
const cache = join(projectRoot, 'node_modules/.cache/webhook-bundle');

/**
 * Modules as the webhook function's bundle holds them (`importAsWebhookBundle`), so the tests that use it test the
 * deployed code. `source` is the entry's text, its imports relative to the repository root.
 */
export const importBundled = <Module>(source: string): Promise<Module> =>
  importAsWebhookBundle<Module>(source, cache);

/** The webhook function as Lambda starts it: a fresh bundle reading the environment (and SHOPS_FILE) it finds. */
export const importWebhookBundle = async (): Promise<WebhookHandler> =>
  (await importWebhookFunction(cache)) as unknown as WebhookHandler;
