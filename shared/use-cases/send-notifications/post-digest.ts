import type {
  DigestWindow,
  Notification,
  OutgoingMessage,
  SlackSender,
  SlackThreadStore,
  WindowKey,
} from '../../domain/ports.js';

/** Another invocation is posting this window's digest right now; the record is retried and then joins it. */
export class DigestPendingError extends Error {
  override name = 'DigestPendingError';
}

export interface PostDigestDeps {
  sender: SlackSender;
  store: SlackThreadStore;
  now: () => number;
  newId: () => string;
}

export interface PostDigestOptions {
  /** A digest claim older than this is taken over (its owner crashed). */
  claimStaleAfterMs: number;
}

const maxRounds = 5;

/**
 * Puts storm orders into their window's single digest message.
 *
 * 1. Add the orders to the window (idempotent per order, so redeliveries do not double count).
 * 2. Nothing posted yet: claim the window and post the digest; without the claim, fail and retry later, by when the
 *    digest exists.
 * 3. Posted already and the window grew: Web API → `chat.update` the digest in place; incoming webhook → one
 *    follow-up message each time the window has doubled since the last post, so a storm of N orders costs about
 *    log2(N / threshold) follow-ups instead of one per batch.
 * Every post is preceded by a conditional write that only one invocation wins, so none is posted twice.
 */
export const postDigest = async (
  deps: PostDigestDeps,
  options: PostDigestOptions,
  window: WindowKey,
  notifications: readonly Notification[],
): Promise<void> => {
  const { sender, store } = deps;
  let state: DigestWindow = await store.addToDigest(window, notifications, deps.now());
  const render = (current: DigestWindow, followUp = false): OutgoingMessage => ({
    kind: 'digest',
    notifications: current.entries,
    options: {
      now: deps.now(),
      windowStart: window.windowStart,
      postedIndividually: current.individualCount,
      followUp,
    },
  });

  for (let round = 0; round < maxRounds; round += 1) {
    if (round > 0) state = await store.readDigest(window);
    const count = state.entries.length;

    if (state.postedCount === undefined) {
      const claimId = deps.newId();
      if (!(await store.claimDigestPost(window, claimId, deps.now(), options.claimStaleAfterMs))) {
        // Posted between our read and the claim, or someone else is posting: look again.
        const fresh = await store.readDigest(window);
        if (fresh.postedCount === undefined) {
          throw new DigestPendingError(`Another invocation is posting the digest of ${window.shop}`);
        }
        state = fresh;
        continue;
      }
      let ts: string | undefined;
      try {
        ({ ts } = await sender.post(render(state)));
      } catch (error) {
        await store.releaseDigestClaim(window, claimId);
        throw error;
      }
      await store.markDigestPosted(window, { claimId, count, ...(ts ? { ts } : {}) });
      continue; // orders added while we posted still need to show
    }

    const posted = state.postedCount;
    if (count <= posted) return;
    const canEdit = sender.supportsUpdate && state.ts !== undefined;
    if (!canEdit && count < posted * 2) return;
    if (!(await store.advanceDigestCount(window, posted, count))) continue;
    try {
      if (canEdit) await sender.update(state.ts as string, render(state));
      else await sender.post(render(state, true));
    } catch (error) {
      await store.advanceDigestCount(window, count, posted);
      throw error;
    }
    return;
  }
  throw new DigestPendingError(`The digest of ${window.shop} kept changing under concurrent updates`);
};
