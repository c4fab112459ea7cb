import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the webhook function's bundle (an esbuild alias, see
 * `infra/constructs/bundling.ts`). Lambda hands the function its role's credentials in the environment, and the
 * SDK's default chain takes them from there first; the rest of the chain (SSO, INI files, web identity, IMDS and
 * their STS/SSO clients, ~90 KiB) can never answer in Lambda, so the webhook does not carry it.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
