import { LogLevel, WebClient } from '@slack/web-api';
import type { OrderView } from '../../domain/order-view.js';
import { type ReplyTarget, type SlackResponder, SlackUnavailableError } from '../../domain/ports.js';
import type { SlackMessage } from './block-kit.js';
import { ignoreModal, orderCard, outcomeLine } from './order-card.js';
import { parseRetryAfter, toSlackUnavailableError } from './slack-errors.js';

export interface SlackResponderOptions {
  /** SLACK_BOT_TOKEN: chat.update, thread replies, views.open; without it only response_url answers */
  token?: string | undefined;
  /** SLACK_API_URL (tests, the simulator): its origin may also receive response_url posts */
  apiUrl?: string | undefined;
  timeoutMs?: number;
  now?: () => number;
}

/** Slack's own response_url host; a payload naming another is not followed (except the configured API's). */
const slackHooks = 'https://hooks.slack.com';

const webApiBase = (url: string): string => {
  const base = url.endsWith('/') ? url : `${url}/`;
  return base.endsWith('/api/') ? base : `${base}api/`;
};

/**
 * The Slack side of the actions: updates the clicked message in place (chat.update), says in its thread what
 * happened, answers the person alone through response_url, and opens the Ignore modal (views.open). The SDK's own
 * retries are off, as in the notifier: a failed reply goes back to the queue, which retries with backoff.
 */
export const createSlackResponder = (options: SlackResponderOptions): SlackResponder => {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? (() => Date.now());
  const client = options.token
    ? new WebClient(options.token, {
        ...(options.apiUrl ? { slackApiUrl: webApiBase(options.apiUrl) } : {}),
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: timeoutMs,
        logLevel: LogLevel.ERROR,
      })
    : undefined;
  const allowedOrigins = new Set([slackHooks, ...(options.apiUrl ? [new URL(options.apiUrl).origin] : [])]);

  const respond = async (responseUrl: string, body: Record<string, unknown>) => {
    const url = new URL(responseUrl);
    if (!allowedOrigins.has(url.origin)) {
      throw new SlackUnavailableError(`response_url ${url.origin} is not Slack's`, {
        reason: 'invalid_message',
      });
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SlackUnavailableError('Slack did not answer the response_url', {
        reason: 'unreachable',
        cause: error,
      });
    }
    if (response.ok) return;
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    throw new SlackUnavailableError(`Slack answered the response_url with ${response.status}`, {
      status: response.status,
      reason:
        response.status === 429
          ? 'rate_limited'
          : response.status >= 500
            ? 'server_error'
            : // A response_url lives 30 minutes and takes 5 answers: past that nothing will take this one.
              'invalid_message',
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
  };

  const call = async <T>(work: (web: WebClient) => Promise<T>): Promise<T> => {
    if (!client) throw new SlackUnavailableError('SLACK_BOT_TOKEN is not set', { reason: 'rejected' });
    try {
      return await work(client);
    } catch (error) {
      throw toSlackUnavailableError(error);
    }
  };

  const replace = async (target: ReplyTarget, message: SlackMessage) => {
    if (client && target.channel && target.messageTs) {
      try {
        await call((web) =>
          web.chat.update({
            channel: target.channel as string,
            ts: target.messageTs as string,
            text: message.text,
            blocks: message.blocks,
          }),
        );
        return;
      } catch (error) {
        // A message the bot cannot edit (posted through an incoming webhook) is still replaced via response_url.
        if (!target.responseUrl || (error as SlackUnavailableError).transient) throw error;
      }
    }
    if (target.responseUrl) {
      await respond(target.responseUrl, {
        replace_original: true,
        text: message.text,
        blocks: message.blocks,
      });
    }
  };

  return {
    async showOutcome(target, view: OrderView, outcome) {
      await replace(target, orderCard(view, { now: now(), outcome }));
      const thread = target.threadTs ?? target.messageTs;
      if (client && target.channel && thread) {
        const line = outcomeLine(view, outcome);
        await call((web) =>
          web.chat.postMessage({
            channel: target.channel as string,
            thread_ts: thread,
            text: line.text,
            blocks: line.blocks,
            unfurl_links: false,
            unfurl_media: false,
          }),
        );
      }
    },
    async tell(target, text) {
      if (!target.responseUrl) return;
      await respond(target.responseUrl, { response_type: 'ephemeral', replace_original: false, text });
    },
    async openIgnoreModal(triggerId, order, target) {
      await call((web) =>
        web.views.open({
          trigger_id: triggerId,
          view: ignoreModal(order, target) as Parameters<WebClient['views']['open']>[0]['view'],
        }),
      );
    },
  };
};
