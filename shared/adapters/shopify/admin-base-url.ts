import { AsyncLocalStorage } from 'node:async_hooks';
// The same runtime adapter as the webhook verifier: the library keeps one adapter per process, and the Node
// adapter would swap in request conversions the verifier does not expect.
import '@shopify/shopify-api/adapters/web-api';
import { abstractFetch, setAbstractFetchFunc } from '@shopify/shopify-api/runtime';

type FetchFn = typeof abstractFetch;

/**
 * @shopify/shopify-api always builds `https://<shop>/admin/api/<version>/graphql.json` and takes no base URL or
 * fetch per client; its one supported hook is the runtime's fetch (`setAbstractFetchFunc`), shared by every
 * client in the process. So the hook is wrapped once, and only calls made inside `withAdminBaseUrl` are re-based,
 * keeping the path, method, headers and body: one client can talk to a simulator while any other talks to Shopify.
 */
const baseUrlOfCall = new AsyncLocalStorage<string>();
let routedFetch: FetchFn | undefined;

const rebase = (input: Parameters<FetchFn>[0], baseUrl: string): Parameters<FetchFn>[0] => {
  const original = new URL(input instanceof Request ? input.url : input.toString());
  const target = new URL(baseUrl);
  target.pathname = `${target.pathname.replace(/\/$/, '')}${original.pathname}`;
  target.search = original.search;
  return input instanceof Request ? new Request(target, input) : target.toString();
};

/** Wraps the library's fetch unless already wrapped; call before constructing a client (it captures the fetch). */
export const installAdminBaseUrlRouting = (): void => {
  if (routedFetch && abstractFetch === routedFetch) return;
  const next = abstractFetch;
  const routed: FetchFn = (input, init) => {
    const baseUrl = baseUrlOfCall.getStore();
    return next(baseUrl ? rebase(input, baseUrl) : input, init);
  };
  routedFetch = routed;
  setAbstractFetchFunc(routed);
};

/** Runs `call` so that the Admin API requests it makes go to `baseUrl` (when set) instead of the shop's domain. */
export const withAdminBaseUrl = <T>(baseUrl: string | undefined, call: () => Promise<T>): Promise<T> =>
  baseUrl ? baseUrlOfCall.run(baseUrl, call) : call();
