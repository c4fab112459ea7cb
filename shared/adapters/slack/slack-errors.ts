import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import { type SlackFailureReason, SlackUnavailableError } from '../../domain/ports.js';

/** Web API error codes that no retry fixes: the token or the channel must change. */
const configurationErrors = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
]);

/** Web API error codes about one message: the others of the batch may still go through. */
const messageErrors = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'thread_not_found',
]);

const reasonForCode = (code: string): SlackFailureReason =>
  configurationErrors.has(code) ? 'rejected' : messageErrors.has(code) ? 'invalid_message' : 'server_error';

const findInCauses = (error: unknown): SlackUnavailableError | undefined => {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current instanceof SlackUnavailableError) return current;
    current = current.cause;
  }
  return undefined;
};

// Incoming webhooks answer 400 for a bad payload, 403/404/410 for a revoked hook or archived channel.
const reasonForStatus = (status: number): SlackFailureReason =>
  status === 429
    ? 'rate_limited'
    : status >= 500
      ? 'server_error'
      : status === 400
        ? 'invalid_message'
        : 'rejected';

/** Maps what `@slack/web-api` and `@slack/webhook` throw onto SlackUnavailableError. */
export const toSlackUnavailableError = (error: unknown): SlackUnavailableError => {
  const known = findInCauses(error);
  if (known) return known;
  if (error instanceof WebAPIRateLimitedError) {
    return new SlackUnavailableError(`Slack rate-limited the call; retry after ${error.retryAfter} s`, {
      reason: 'rate_limited',
      retryAfter: error.retryAfter,
      status: 429,
      cause: error,
    });
  }
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    return new SlackUnavailableError(`Slack refused the call: ${code}`, {
      // Unknown codes count as Slack's trouble: the record is retried and, if it never passes, lands in the DLQ.
      reason: reasonForCode(code),
      slackError: code,
      cause: error,
    });
  }
  if (error instanceof WebAPIHTTPError || error instanceof IncomingWebhookHTTPError) {
    const body = typeof error.body === 'string' ? error.body.trim().slice(0, 100) : undefined;
    return new SlackUnavailableError(`Slack answered HTTP ${error.statusCode}${body ? `: ${body}` : ''}`, {
      reason: reasonForStatus(error.statusCode),
      status: error.statusCode,
      ...(body ? { slackError: body } : {}),
      cause: error,
    });
  }
  if (error instanceof WebAPIRequestError || error instanceof IncomingWebhookRequestError) {
    return new SlackUnavailableError(`Slack could not be reached: ${error.original.message}`, {
      reason: 'unreachable',
      cause: error,
    });
  }
  return new SlackUnavailableError(`Slack call failed: ${(error as Error)?.message ?? String(error)}`, {
    reason: 'unreachable',
    cause: error,
  });
};

/** Parses Retry-After (seconds or an HTTP date) into whole seconds. */
export const parseRetryAfter = (value: string | null, now = Date.now()): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
};
