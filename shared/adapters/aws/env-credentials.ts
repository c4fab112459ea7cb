import type { AwsCredentialIdentity } from '@smithy/types';

export class CredentialsProviderError extends Error {
  override name = 'CredentialsProviderError';
}

/**
 * The Lambda environment's credentials, read as `@aws-sdk/credential-provider-env` 3.972.86 reads them (the same
 * variables, the same identity). Lambda hands the function its role's credentials there, and the SDK's default
 * chain takes them from there first; the rest of the chain (SSO, INI files, web identity, IMDS and their STS/SSO
 * clients, ~90 KiB) can never answer in Lambda, and even the env provider package brings the SDK's endpoint and
 * config modules (~20 KiB), so the webhook function carries only this.
 */
export const envCredentials =
  (env: Record<string, string | undefined> = process.env) =>
  async (): Promise<AwsCredentialIdentity> => {
    const {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_SESSION_TOKEN: sessionToken,
      AWS_CREDENTIAL_EXPIRATION: expiry,
      AWS_CREDENTIAL_SCOPE: credentialScope,
      AWS_ACCOUNT_ID: accountId,
    } = env;
    if (!accessKeyId || !secretAccessKey)
      throw new CredentialsProviderError('Unable to find environment variable credentials.');
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiry ? { expiration: new Date(expiry) } : {}),
      ...(credentialScope ? { credentialScope } : {}),
      ...(accountId ? { accountId } : {}),
    };
  };

/** Stands in for `@aws-sdk/credential-provider-node` in the webhook function's bundle (an esbuild alias). */
export const defaultProvider = () => envCredentials();
