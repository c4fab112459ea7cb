import { LogLevel, WebClient } from '@slack/web-api';
import type { SlackConfig } from '../../config/config.js';
import { toSlackUnavailableError } from './slack-errors.js';

/** What `doctor` reads of Slack (its use case's SlackProbe): never `chat.postMessage`, never the webhook. */
export type SlackProbe =
  | { kind: 'console' }
  | { kind: 'webhook'; url: string }
  | {
      kind: 'web-api';
      channel: string;
      authTest(): Promise<{ team?: string; user?: string; scopes?: string[] }>;
      channelInfo(): Promise<{ name?: string; isMember: boolean; isPrivate: boolean; isArchived: boolean }>;
    };

/** `https://host` and `https://host/api/` both mean the Web API under `/api/`, as on slack.com. */
const webApiBase = (url: string): string => {
  const base = url.endsWith('/') ? url : `${url}/`;
  return base.endsWith('/api/') ? base : `${base}api/`;
};

/**
 * Reads only: `auth.test` (the token, and its scopes from Slack's `x-oauth-scopes`) and `conversations.info` (the
 * bot's membership of SLACK_CHANNEL_ID). An incoming webhook cannot be asked anything without posting, so only its
 * URL is judged. Failures come out as SlackUnavailableError, as the sender's do.
 */
export const createSlackProbe = (config: SlackConfig, options: { timeoutMs?: number } = {}): SlackProbe => {
  if (config.SLACK_BOT_TOKEN && config.SLACK_CHANNEL_ID) {
    const channel = config.SLACK_CHANNEL_ID;
    const client = new WebClient(config.SLACK_BOT_TOKEN, {
      ...(config.SLACK_API_URL ? { slackApiUrl: webApiBase(config.SLACK_API_URL) } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 10_000,
      logLevel: LogLevel.ERROR,
    });
    const call = async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        throw toSlackUnavailableError(error);
      }
    };
    return {
      kind: 'web-api',
      channel,
      authTest: () =>
        call(async () => {
          const answer = await client.auth.test();
          const scopes = answer.response_metadata?.scopes;
          return {
            ...(answer.team ? { team: answer.team } : {}),
            ...(answer.user ? { user: answer.user } : {}),
            ...(scopes ? { scopes } : {}),
          };
        }),
      channelInfo: () =>
        call(async () => {
          const { channel: info } = await client.conversations.info({ channel });
          return {
            ...(info?.name ? { name: info.name } : {}),
            isMember: info?.is_member === true,
            isPrivate: info?.is_private === true,
            isArchived: info?.is_archived === true,
          };
        }),
    };
  }
  if (config.SLACK_WEBHOOK_URL) return { kind: 'webhook', url: config.SLACK_WEBHOOK_URL };
  return { kind: 'console' };
};
