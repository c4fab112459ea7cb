import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-process Slack: the Web API methods the notifier calls (`chat.postMessage`, `chat.update`, form or JSON
 * bodies, Bearer token), those `doctor` reads (`auth.test`, `conversations.info`, the token's scopes in
 * `x-oauth-scopes`) and one incoming webhook, with faults to inject (outage, 429, revoked token, bot not invited).
 * For the Slack app's side (slack-user.ts sends signed clicks, modal submissions and slash commands): `views.open`
 * with the trigger ids it issued (3 s), `usergroups.users.list`, and the response_urls it issued, which record what
 * is posted to them and replace the message they belong to. Plain `node:http`, no test framework, so the local
 * sandbox can run it too.
 */

export interface SimMessage {
  ts: string;
  channel: string;
  text: string;
  blocks: unknown[];
  /** set on replies */
  threadTs?: string;
  replyBroadcast?: boolean;
  via: 'web-api' | 'webhook';
  /** how many times chat.update replaced it */
  updates: number;
}

/** A message only one person sees (a slash command's answer), replaced through its response_url. */
export interface EphemeralMessage {
  responseUrl: string;
  text: string;
  blocks: unknown[];
  /** how many times a response_url post replaced it */
  updates: number;
}

/** A modal opened with `views.open`. */
export interface SimView {
  triggerId: string;
  view: Record<string, unknown>;
  id: string;
}

/** What was posted to a response_url. */
export interface SimResponse {
  responseUrl: string;
  body: Record<string, unknown>;
}

export type ResponseTarget =
  | { kind: 'message'; channel: string; ts: string }
  | { kind: 'ephemeral'; message: EphemeralMessage };

export interface SlackSimOptions {
  /** user group id → member user ids, for `usergroups.users.list` */
  userGroups?: Record<string, readonly string[]>;
  /** default 0: a free port */
  port?: number;
  host?: string;
  /** the bot token the Web API accepts; default `xoxb-sim-token` */
  token?: string;
  /** channel ids that exist; default: any */
  channels?: readonly string[];
  /** channels the bot is a member of; default: every channel */
  memberOf?: readonly string[];
  /** the bot token's OAuth scopes, sent in `x-oauth-scopes` as Slack does; default chat:write and channels:read */
  scopes?: readonly string[];
  /** the incoming webhook's path; default `/services/T000/B000/XXXX` */
  webhookPath?: string;
  /** called with a one-line summary of every request (for the sandbox's console) */
  log?: (line: string) => void;
}

export interface SlackSim {
  /** base URL, e.g. http://127.0.0.1:54321 */
  url: string;
  /** Web API base to use as SLACK_API_URL */
  apiUrl: string;
  webhookUrl: string;
  token: string;
  /** every top-level message and reply, in order, as currently shown (updates applied) */
  messages: SimMessage[];
  /** replies by the ts of their thread's root */
  threads: Map<string, SimMessage[]>;
  /** modals opened with views.open */
  views: SimView[];
  /** everything posted to a response_url, in order */
  responses: SimResponse[];
  /** ephemeral answers shown to a person (slash commands), as currently shown */
  ephemerals: EphemeralMessage[];
  /** A response_url for a message (a click on it) or an ephemeral answer, as Slack sends with an interaction. */
  issueResponseUrl(target: ResponseTarget): string;
  /** A trigger id, valid 3 s for one views.open, as Slack sends with an interaction. */
  issueTrigger(): string;
  /** every HTTP request received, including the faulted ones; `at` is when it arrived (epoch ms) */
  requests: Array<{ method: string; path: string; status: number; at: number }>;
  /**
   * Requests that arrived while the Retry-After of an earlier 429 had not yet passed: a client that honours
   * Retry-After makes none.
   */
  readonly earlyCalls: number;
  /** The next `count` requests answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(count: number, retryAfterSeconds: number): void;
  /** For the next `forSeconds`, every request answers 429 with `Retry-After: retryAfterSeconds` (an outage). */
  rateLimitFor(forSeconds: number, retryAfterSeconds: number): void;
  /** The next `count` requests (after letting `after` pass) answer `status` (default 500). */
  failNext(count: number, status?: number, options?: { after?: number }): void;
  /** While down, connections are dropped without an answer. */
  down(isDown: boolean): void;
  /** The bot token stops working: every Web API call answers `token_revoked` (until `reset`). */
  revokeToken(): void;
  /** Forgets messages, requests, pending faults and a revoked token. */
  reset(): void;
  close(): Promise<void>;
}

type Fault =
  | { kind: 'rate-limit'; retryAfter: number }
  | { kind: 'status'; status: number }
  | { kind: 'pass' };

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

/** Slack's Web API takes form-encoded or JSON bodies; nested values (blocks) arrive as JSON strings in forms. */
const parseArguments = (request: IncomingMessage, body: string): Record<string, unknown> => {
  const type = request.headers['content-type'] ?? '';
  if (type.includes('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  return Object.fromEntries(new URLSearchParams(body));
};

const asBlocks = (value: unknown): unknown[] => {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value !== '') {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? parsed : [];
  }
  return [];
};

const asBoolean = (value: unknown) => value === true || value === 'true' || value === '1';

export const startSlackSim = async (options: SlackSimOptions = {}): Promise<SlackSim> => {
  const token = options.token ?? 'xoxb-sim-token';
  const webhookPath = options.webhookPath ?? '/services/T000/B000/XXXX';
  const messages: SimMessage[] = [];
  const threads = new Map<string, SimMessage[]>();
  const requests: SlackSim['requests'] = [];
  let faults: Fault[] = [];
  let isDown = false;
  let revoked = false;
  let clock = 0;
  const scopes = options.scopes ?? ['chat:write', 'channels:read', 'commands', 'usergroups:read'];
  const views: SimView[] = [];
  const responses: SimResponse[] = [];
  const ephemerals: EphemeralMessage[] = [];
  const responseTargets = new Map<string, { target: ResponseTarget; uses: number }>();
  const triggers = new Map<string, number>();
  let issued = 0;
  let url = '';
  const hasScope = (scope: string) => scopes.includes(scope);
  /** until when the last 429's Retry-After runs, and the window of a rate-limit outage */
  let quietUntil = 0;
  let earlyCalls = 0;
  let limited: { until: number; retryAfter: number } | undefined;

  // Real ts values are "<epoch seconds>.<microseconds>", unique per channel.
  const nextTs = () => {
    clock += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(clock).padStart(6, '0')}`;
  };

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      ...headers,
    });
    response.end(text);
  };

  const record = (message: SimMessage) => {
    messages.push(message);
    if (message.threadTs) {
      const replies = threads.get(message.threadTs) ?? [];
      replies.push(message);
      threads.set(message.threadTs, replies);
    }
  };

  const checkAuth = (request: IncomingMessage, args: Record<string, unknown>) => {
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : args.token;
    if (!given) return 'not_authed';
    if (given !== token) return 'invalid_auth';
    return revoked ? 'token_revoked' : undefined;
  };

  const isMember = (channel: string) => !options.memberOf || options.memberOf.includes(channel);
  const missingScope = (needed: string) => ({
    ok: false,
    error: 'missing_scope',
    needed,
    provided: scopes.join(','),
  });

  const knownChannel = (channel: unknown): channel is string =>
    typeof channel === 'string' &&
    channel !== '' &&
    (!options.channels || options.channels.includes(channel));

  const postMessage = (args: Record<string, unknown>) => {
    if (!hasScope('chat:write')) return missingScope('chat:write');
    if (!knownChannel(args.channel)) return { ok: false, error: 'channel_not_found' };
    // A bot posts only where it was invited, unless chat:write.public lets it into any public channel.
    if (!isMember(args.channel) && !hasScope('chat:write.public'))
      return { ok: false, error: 'not_in_channel' };
    const text = typeof args.text === 'string' ? args.text : '';
    const blocks = asBlocks(args.blocks);
    if (!text && blocks.length === 0) return { ok: false, error: 'no_text' };
    const threadTs = typeof args.thread_ts === 'string' && args.thread_ts !== '' ? args.thread_ts : undefined;
    if (
      threadTs &&
      !messages.some((message) => message.ts === threadTs && message.channel === args.channel)
    ) {
      return { ok: false, error: 'thread_not_found' };
    }
    const message: SimMessage = {
      ts: nextTs(),
      channel: args.channel,
      text,
      blocks,
      via: 'web-api',
      updates: 0,
      ...(threadTs ? { threadTs, replyBroadcast: asBoolean(args.reply_broadcast) } : {}),
    };
    record(message);
    return { ok: true, channel: message.channel, ts: message.ts, message: { text, ts: message.ts } };
  };

  const update = (args: Record<string, unknown>) => {
    if (!knownChannel(args.channel)) return { ok: false, error: 'channel_not_found' };
    const message = messages.find(
      (candidate) => candidate.ts === args.ts && candidate.channel === args.channel,
    );
    if (message?.via !== 'web-api') return { ok: false, error: 'message_not_found' };
    if (typeof args.text === 'string') message.text = args.text;
    if (args.blocks !== undefined) message.blocks = asBlocks(args.blocks);
    message.updates += 1;
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
  };

  /** Slack's `conversations.info`: the channel as the bot sees it (public channels need channels:read). */
  const channelInfo = (args: Record<string, unknown>) => {
    if (!hasScope('channels:read')) return missingScope('channels:read,groups:read,mpim:read,im:read');
    if (!knownChannel(args.channel)) return { ok: false, error: 'channel_not_found' };
    return {
      ok: true,
      channel: {
        id: args.channel,
        name: `sim-${args.channel.toLowerCase()}`,
        is_channel: true,
        is_private: false,
        is_archived: false,
        is_member: isMember(args.channel),
      },
    };
  };

  /** Slack's views.open: only with a trigger id it issued, within 3 s, once. */
  const openView = (args: Record<string, unknown>) => {
    const triggerId = String(args.trigger_id ?? '');
    const issuedAt = triggers.get(triggerId);
    if (issuedAt === undefined || Date.now() - issuedAt > 3_000)
      return { ok: false, error: 'expired_trigger_id' };
    triggers.delete(triggerId);
    const view = (typeof args.view === 'string' ? JSON.parse(args.view) : args.view) as Record<
      string,
      unknown
    >;
    if (view?.type !== 'modal') return { ok: false, error: 'invalid_arguments' };
    const opened: SimView = { triggerId, view, id: `V${String(views.length + 1).padStart(8, '0')}` };
    views.push(opened);
    return { ok: true, view: { id: opened.id, ...view } };
  };

  /** A response_url post: 5 uses per URL, as Slack allows; replace_original replaces what it belongs to. */
  const respond = (path: string, body: string) => {
    const responseUrl = `${url}${path}`;
    const entry = responseTargets.get(responseUrl);
    if (!entry) return { status: 404, payload: 'no_such_url' };
    if (entry.uses >= 5) return { status: 404, payload: 'used_url' };
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { status: 400, payload: 'invalid_payload' };
    }
    entry.uses += 1;
    responses.push({ responseUrl, body: parsed });
    if (parsed.replace_original === true || parsed.replace_original === 'true') {
      const text = typeof parsed.text === 'string' ? parsed.text : '';
      const blocks = asBlocks(parsed.blocks);
      if (entry.target.kind === 'ephemeral') {
        Object.assign(entry.target.message, { text, blocks, updates: entry.target.message.updates + 1 });
      } else {
        const { channel, ts } = entry.target;
        const message = messages.find((candidate) => candidate.ts === ts && candidate.channel === channel);
        if (message) Object.assign(message, { text, blocks, updates: message.updates + 1 });
      }
    }
    return { status: 200, payload: 'ok' };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const method = request.method ?? 'GET';
    const at = Date.now();
    if (at < quietUntil) earlyCalls += 1;
    if (isDown) {
      requests.push({ method, path, status: 0, at });
      request.socket.destroy();
      return;
    }
    const body = await readBody(request);
    const fault: Fault | undefined =
      limited && at < limited.until ? { kind: 'rate-limit', retryAfter: limited.retryAfter } : faults.shift();
    const isWebhook = path === webhookPath;
    const answer = (status: number, payload: unknown, headers?: Record<string, string>) => {
      requests.push({ method, path, status, at });
      options.log?.(`slack-sim ${method} ${path} → ${status}`);
      // Slack names the token's scopes on every Web API answer.
      send(
        response,
        status,
        payload,
        isWebhook ? headers : { 'x-oauth-scopes': scopes.join(','), ...headers },
      );
    };
    if (fault?.kind === 'rate-limit') {
      quietUntil = Math.max(quietUntil, Date.now() + fault.retryAfter * 1000);
      return answer(429, isWebhook ? 'rate_limited' : { ok: false, error: 'ratelimited' }, {
        'retry-after': String(fault.retryAfter),
      });
    }
    if (fault?.kind === 'status')
      return answer(fault.status, isWebhook ? 'internal_error' : 'Internal Server Error');
    if (method !== 'POST') return answer(405, 'method_not_allowed');

    if (isWebhook) {
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return answer(400, 'invalid_payload');
      }
      const text = typeof payload.text === 'string' ? payload.text : '';
      const blocks = asBlocks(payload.blocks);
      if (!text && blocks.length === 0) return answer(400, 'no_text');
      record({ ts: nextTs(), channel: 'webhook', text, blocks, via: 'webhook', updates: 0 });
      return answer(200, 'ok');
    }
    if (path.startsWith('/services/')) return answer(404, 'no_service');
    if (path.startsWith('/actions/')) {
      const { status, payload } = respond(path, body);
      return answer(status, payload);
    }

    const apiMethod = path.startsWith('/api/') ? path.slice('/api/'.length) : undefined;
    let args: Record<string, unknown>;
    try {
      args = parseArguments(request, body);
    } catch {
      return answer(200, { ok: false, error: 'invalid_json' });
    }
    const authError = checkAuth(request, args);
    if (apiMethod && authError) return answer(200, { ok: false, error: authError });
    switch (apiMethod) {
      case 'chat.postMessage':
        return answer(200, postMessage(args));
      case 'chat.update':
        return answer(200, update(args));
      case 'auth.test':
        return answer(200, {
          ok: true,
          url: 'https://sim-workspace.slack.com/',
          team: 'Simulated workspace',
          user: 'order-sync-monitor',
          team_id: 'T000',
          user_id: 'U000',
          bot_id: 'B000',
        });
      case 'conversations.info':
        return answer(200, channelInfo(args));
      case 'views.open':
        return answer(200, openView(args));
      case 'usergroups.users.list': {
        if (!hasScope('usergroups:read')) return answer(200, missingScope('usergroups:read'));
        const members = options.userGroups?.[String(args.usergroup ?? '')];
        return answer(
          200,
          members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' },
        );
      }
      default:
        return answer(404, { ok: false, error: 'unknown_method' });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { ok: false, error: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url,
    apiUrl: `${url}/api/`,
    webhookUrl: `${url}${webhookPath}`,
    token,
    messages,
    threads,
    views,
    responses,
    ephemerals,
    issueResponseUrl(target) {
      issued += 1;
      const responseUrl = `${url}/actions/T000/${issued}/${Math.random().toString(36).slice(2, 12)}`;
      responseTargets.set(responseUrl, { target, uses: 0 });
      if (target.kind === 'ephemeral' && !ephemerals.includes(target.message))
        ephemerals.push(target.message);
      return responseUrl;
    },
    issueTrigger() {
      issued += 1;
      const triggerId = `${issued}.${Date.now()}.sim${Math.random().toString(36).slice(2, 10)}`;
      triggers.set(triggerId, Date.now());
      return triggerId;
    },
    requests,
    get earlyCalls() {
      return earlyCalls;
    },
    rateLimitFor(forSeconds, retryAfterSeconds) {
      limited = { until: Date.now() + forSeconds * 1000, retryAfter: retryAfterSeconds };
    },
    rateLimitNext(count, retryAfterSeconds) {
      for (let index = 0; index < count; index += 1)
        faults.push({ kind: 'rate-limit', retryAfter: retryAfterSeconds });
    },
    failNext(count, status = 500, failOptions = {}) {
      for (let index = 0; index < (failOptions.after ?? 0); index += 1) faults.push({ kind: 'pass' });
      for (let index = 0; index < count; index += 1) faults.push({ kind: 'status', status });
    },
    down(value) {
      isDown = value;
    },
    revokeToken() {
      revoked = true;
    },
    reset() {
      revoked = false;
      messages.length = 0;
      threads.clear();
      views.length = 0;
      responses.length = 0;
      ephemerals.length = 0;
      responseTargets.clear();
      triggers.clear();
      requests.length = 0;
      faults = [];
      isDown = false;
      quietUntil = 0;
      earlyCalls = 0;
      limited = undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
