import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { SecretReader } from '../../config/load-env.js';
import { createSignedFetch } from './signed-fetch.js';

/**
 * Secrets Manager's GetSecretValue for a JSON secret, cached per ARN for the age asked (as Powertools Parameters
 * caches it), over one signed request: the webhook function reads only its signing secret, and the Secrets
 * Manager client would be a tenth of its bundle.
 */
export const createSecretReader = (options: {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** an emulator's endpoint (tests); unset = AWS */
  endpoint?: string | undefined;
  now?: () => number;
}): SecretReader => {
  const send = createSignedFetch({
    service: 'secretsmanager',
    region: options.region,
    credentials: options.credentials,
  });
  const url = new URL(options.endpoint ?? `https://secretsmanager.${options.region}.amazonaws.com/`);
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; values: Record<string, unknown> | undefined }>();
  return async (arn, maxAgeSeconds) => {
    const cached = cache.get(arn);
    if (cached && now() - cached.at < maxAgeSeconds * 1000) return cached.values;
    const { body } = await send(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body: Buffer.from(JSON.stringify({ SecretId: arn })),
    });
    const { SecretString } = JSON.parse(body.toString('utf8')) as { SecretString?: string };
    const values = SecretString ? (JSON.parse(SecretString) as Record<string, unknown>) : undefined;
    cache.set(arn, { at: now(), values });
    return values;
  };
};
