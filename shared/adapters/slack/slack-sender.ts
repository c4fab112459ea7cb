import { LogLevel, WebClient } from '@slack/web-api';
import { IncomingWebhook } from '@slack/webhook';
import type { SlackConfig } from '../../config/config.js';
import { type OutgoingMessage, type SlackSender, SlackUnavailableError } from '../../domain/ports.js';
import { type OrderExtras, renderMessage, type SlackMessage } from './block-kit.js';
import { createConsoleSlackSender } from './console-slack-sender.js';
import { parseRetryAfter, toSlackUnavailableError } from './slack-errors.js';

/** How a rendered message travels: the Web API, an incoming webhook, or the console. */
export interface SlackTransport extends Omit<SlackSender, 'post' | 'update'> {
  /** Posts a message; resolves with its ts when the transport returns one. Throws SlackUnavailableError. */
  post(message: SlackMessage, options?: { threadTs?: string; broadcast?: boolean }): Promise<{ ts?: string }>;
  /** Replaces an earlier message (only when `supportsUpdate`). Throws SlackUnavailableError. */
  update(ts: string, message: SlackMessage): Promise<void>;
}

export interface SlackSenderOptions {
  /** Per-request timeout; Slack normally answers in well under a second. Default 10 s. */
  timeoutMs?: number;
  /** Where the console sink writes when Slack is not configured. Default `console.log`. */
  write?: (text: string) => void;
  /** The timeline link and buttons of each order's message (when the deployment has them). */
  orderExtras?: OrderExtras;
}

/** `https://host` and `https://host/api/` both mean the Web API under `/api/`, as on slack.com. */
const webApiBase = (url: string): string => {
  const base = url.endsWith('/') ? url : `${url}/`;
  return base.endsWith('/api/') ? base : `${base}api/`;
};

/**
 * Web API sender (`chat.postMessage`, threads, `chat.update`). The SDK's own retries are off: by default it retries
 * for up to 30 minutes and sleeps through rate limits, far beyond a Lambda's timeout. A failed record goes back to
 * the queue instead, which retries with backoff and ends in the DLQ.
 */
export const createWebApiSlackSender = (params: {
  token: string;
  channel: string;
  apiUrl?: string;
  timeoutMs?: number;
}): SlackTransport => {
  const client = new WebClient(params.token, {
    ...(params.apiUrl ? { slackApiUrl: webApiBase(params.apiUrl) } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: params.timeoutMs ?? 10_000,
    logLevel: LogLevel.ERROR,
  });
  return {
    kind: 'web-api',
    supportsThreads: true,
    supportsUpdate: true,
    async post(message: SlackMessage, options = {}) {
      try {
        const content = {
          channel: params.channel,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        };
        const result = await client.chat.postMessage(
          options.threadTs
            ? options.broadcast
              ? { ...content, thread_ts: options.threadTs, reply_broadcast: true }
              : { ...content, thread_ts: options.threadTs }
            : content,
        );
        return result.ts ? { ts: result.ts } : {};
      } catch (error) {
        throw toSlackUnavailableError(error);
      }
    },
    async update(ts: string, message: SlackMessage) {
      try {
        await client.chat.update({ channel: params.channel, ts, text: message.text, blocks: message.blocks });
      } catch (error) {
        throw toSlackUnavailableError(error);
      }
    },
  };
};

/**
 * Incoming-webhook sender. Webhooks return no message ts, so there are no threads and no edits: a reply becomes a
 * new message. The SDK drops the 429's Retry-After header, so a small fetch wrapper reads it first.
 */
export const createWebhookSlackSender = (params: { url: string; timeoutMs?: number }): SlackTransport => {
  const webhook = new IncomingWebhook(params.url, {
    timeout: params.timeoutMs ?? 10_000,
    retryConfig: { retries: 0 },
    async fetch(url, init) {
      const response = await fetch(url, init);
      if (response.status === 429) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        throw new SlackUnavailableError('Slack rate-limited the incoming webhook', {
          reason: 'rate_limited',
          status: 429,
          ...(retryAfter === undefined ? {} : { retryAfter }),
        });
      }
      return response;
    },
  });
  return {
    kind: 'webhook',
    supportsThreads: false,
    supportsUpdate: false,
    async post(message: SlackMessage) {
      try {
        await webhook.send({
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
        return {};
      } catch (error) {
        throw toSlackUnavailableError(error);
      }
    },
    async update() {
      throw new SlackUnavailableError('An incoming webhook cannot edit a message', { reason: 'rejected' });
    },
  };
};

/**
 * Slack's Retry-After, remembered per transport (#11 §5): after a 429 no call of this transport goes out before the
 * time Slack named, whichever batch makes it; an early call fails at once with the time still to wait, as Slack's
 * own answer would, so the caller waits or hands the record back.
 */
export const rateLimitGate = (now: () => number = Date.now) => {
  let notBefore = 0;
  return async <T>(call: () => Promise<T>): Promise<T> => {
    const waitMs = notBefore - now();
    if (waitMs > 0) {
      throw new SlackUnavailableError('Slack asked us to wait; not calling it before then', {
        reason: 'rate_limited',
        retryAfter: Math.ceil(waitMs / 1000),
        status: 429,
      });
    }
    try {
      return await call();
    } catch (error) {
      if (error instanceof SlackUnavailableError && error.retryAfter !== undefined) {
        notBefore = Math.max(notBefore, now() + error.retryAfter * 1000);
      }
      throw error;
    }
  };
};

/** The domain's Slack port over a transport: what the notifier says, rendered as Block Kit here. */
export const renderingSender = (
  transport: SlackTransport,
  options: { orderExtras?: OrderExtras; now?: () => number } = {},
): SlackSender => {
  const gate = rateLimitGate(options.now ?? Date.now);
  const render = (message: OutgoingMessage) => renderMessage(message, options.orderExtras);
  return {
    kind: transport.kind,
    supportsThreads: transport.supportsThreads,
    supportsUpdate: transport.supportsUpdate,
    post: (message: OutgoingMessage, postOptions) => gate(() => transport.post(render(message), postOptions)),
    update: (ts: string, message: OutgoingMessage) => gate(() => transport.update(ts, render(message))),
  };
};

/** The Web API when a bot token is set (threads, edits), else the incoming webhook, else the console. */
export const createSlackSender = (config: SlackConfig, options: SlackSenderOptions = {}): SlackSender =>
  renderingSender(
    createSlackTransport(config, options),
    options.orderExtras ? { orderExtras: options.orderExtras } : {},
  );

const createSlackTransport = (config: SlackConfig, options: SlackSenderOptions): SlackTransport => {
  if (config.SLACK_BOT_TOKEN && config.SLACK_CHANNEL_ID) {
    return createWebApiSlackSender({
      token: config.SLACK_BOT_TOKEN,
      channel: config.SLACK_CHANNEL_ID,
      ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
  if (config.SLACK_WEBHOOK_URL) {
    return createWebhookSlackSender({
      url: config.SLACK_WEBHOOK_URL,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
  return createConsoleSlackSender(options.write);
};
