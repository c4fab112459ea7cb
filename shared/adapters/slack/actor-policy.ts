import { LogLevel, WebClient } from '@slack/web-api';
import { restrictedActions } from '../../domain/person-actions.js';
import type { ActorPolicy } from '../../domain/ports.js';
import { toSlackUnavailableError } from './slack-errors.js';

/**
 * SLACK_ALLOWED_ACTORS: the Slack user ids (`U…`, `W…`) and user group ids (`S…`) who may take the restricted
 * actions (Retry repair, Ignore). Unset, everybody in the workspace may. A group's members are read with
 * `usergroups.users.list` (scope `usergroups:read`) and cached for five minutes.
 */
export const createActorPolicy = (params: {
  allowed: readonly string[] | undefined;
  token?: string | undefined;
  apiUrl?: string | undefined;
  cacheMs?: number;
  now?: () => number;
}): ActorPolicy => {
  const allowed = params.allowed ?? [];
  const users = new Set(allowed.filter((id) => !id.startsWith('S')));
  const groups = allowed.filter((id) => id.startsWith('S'));
  const cacheMs = params.cacheMs ?? 300_000;
  const now = params.now ?? (() => Date.now());
  const cache = new Map<string, { members: Set<string>; at: number }>();
  const client =
    params.token && groups.length > 0
      ? new WebClient(params.token, {
          ...(params.apiUrl
            ? { slackApiUrl: `${params.apiUrl.replace(/\/+$/, '').replace(/\/api$/, '')}/api/` }
            : {}),
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          timeout: 2_000,
          logLevel: LogLevel.ERROR,
        })
      : undefined;

  const membersOf = async (group: string): Promise<Set<string>> => {
    const cached = cache.get(group);
    if (cached && now() - cached.at < cacheMs) return cached.members;
    if (!client) return new Set();
    try {
      const result = await client.usergroups.users.list({ usergroup: group });
      const members = new Set(result.users ?? []);
      cache.set(group, { members, at: now() });
      return members;
    } catch (error) {
      throw toSlackUnavailableError(error);
    }
  };

  return {
    async mayTake(actor, kind) {
      if (allowed.length === 0 || !restrictedActions.has(kind)) return true;
      if (users.has(actor)) return true;
      for (const group of groups) if ((await membersOf(group)).has(actor)) return true;
      return false;
    },
  };
};
