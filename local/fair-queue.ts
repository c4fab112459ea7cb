/**
 * Amazon SQS fair queues, in fauxqs.
 *
 * In AWS the check queue is a standard queue and every check is sent with `MessageGroupId` = its shop, which makes it
 * a fair queue (AWS Developer Guide, "How Amazon SQS fair queues work",
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues-detailed.html): a tenant
 * (message group) holding a disproportionate share of the in-flight messages is a noisy neighbour, and receives hand
 * out the quiet tenants' messages first, so one shop's flash sale does not hold back the other shops' checks.
 * fauxqs 2.4.1 has no fair queues: a standard queue drops `MessageGroupId` at send and hands out strictly oldest
 * first, so locally a flash sale delayed another shop's checks by seconds that AWS would not add.
 *
 * This module gives fauxqs's standard queues that delivery order without re-implementing any of fauxqs: at send it
 * keeps the group on the message (fauxqs's own message field, which its persistence already stores), and before
 * fauxqs's own dequeue runs it moves the messages AWS would hand out first to the front of the visible list. Receive
 * counts, visibility, delays, redrive to the DLQ and persistence stay fauxqs's. It reaches into fauxqs internals
 * (its queue and router classes), which is why `fauxqsInternalProblems` exists and a test pins it.
 *
 * Modelled: the documented concurrency share (a tenant is noisy with more than 10 % of the queue's in-flight
 * messages and at least 30 of its own), quiet tenants first in their usual order, noisy tenants with the fewest in
 * flight next, each message without a group a tenant of its own. Not modelled: the processing-time share, and the
 * hysteresis (AWS keeps de-prioritising until the backlog is drained or 5 minutes without sends; here a tenant is
 * noisy exactly while its in-flight count says so).
 */

import { FauxqsInternalsError, importFauxqsDist } from './fauxqs-internals.js';

/** A tenant is noisy above this share of the queue's in-flight messages… */
export const noisyShareOfInFlight = 0.1;
/** …when it also has at least this many of its own in flight. */
export const noisyMinInFlight = 30;

/** What the order needs to know of a message: fauxqs's own field, kept on standard queues by this module. */
export interface GroupedMessage {
  messageGroupId?: string | undefined;
}

/**
 * The `count` messages a fair queue hands out next, in order: quiet tenants' messages in their visible order, then,
 * when none is left, the next message of the noisy tenant with the fewest in flight. A message handed out counts as
 * in flight for the next choice, as it will in SQS.
 */
export const fairNext = <M extends GroupedMessage>(
  visible: readonly M[],
  inFlight: Iterable<GroupedMessage>,
  count: number,
): M[] => {
  const inFlightOf = new Map<string, number>();
  let total = 0;
  for (const { messageGroupId } of inFlight) {
    total++;
    if (messageGroupId !== undefined)
      inFlightOf.set(messageGroupId, (inFlightOf.get(messageGroupId) ?? 0) + 1);
  }
  const isNoisy = (own: number) => own >= noisyMinInFlight && own > noisyShareOfInFlight * total;
  // One pass: each tenant's first `wanted` visible messages, in order (no tenant gets more). A message without a
  // group is a tenant of its own: never noisy, so it is simply a quiet message waiting at its place.
  const wanted = Math.min(count, visible.length);
  const queued = new Map<string, number[]>();
  const ungrouped: number[] = [];
  visible.forEach((message, index) => {
    const group = message.messageGroupId;
    if (group === undefined) {
      if (ungrouped.length < wanted) ungrouped.push(index);
      return;
    }
    const indexes = queued.get(group);
    if (!indexes) queued.set(group, [index]);
    else if (indexes.length < wanted) indexes.push(index);
  });
  const next: M[] = [];
  let ungroupedNext = 0;
  const heads = new Map<string, number>([...queued.keys()].map((group) => [group, 0]));
  while (next.length < wanted) {
    // The earliest message of a quiet tenant; failing that, the head of the noisy tenant with the fewest in flight
    // (the earlier head on a tie). Each tenant's head is its earliest message not handed out yet.
    let quiet = ungrouped[ungroupedNext] ?? Number.POSITIVE_INFINITY;
    let quietGroup: string | undefined;
    let noisyPick = Number.POSITIVE_INFINITY;
    let noisyGroup: string | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const [group, head] of heads) {
      const index = (queued.get(group) as number[])[head];
      if (index === undefined) continue;
      const own = inFlightOf.get(group) ?? 0;
      if (!isNoisy(own)) {
        if (index < quiet) {
          quiet = index;
          quietGroup = group;
        }
      } else if (own < fewest || (own === fewest && index < noisyPick)) {
        fewest = own;
        noisyPick = index;
        noisyGroup = group;
      }
    }
    let pick: number;
    let group: string | undefined;
    if (quiet !== Number.POSITIVE_INFINITY) {
      pick = quiet;
      group = quietGroup;
      if (group === undefined) ungroupedNext++;
    } else {
      pick = noisyPick;
      group = noisyGroup;
    }
    if (group !== undefined) {
      heads.set(group, (heads.get(group) as number) + 1);
      inFlightOf.set(group, (inFlightOf.get(group) ?? 0) + 1);
    }
    total++;
    next.push(visible[pick] as M);
  }
  return next;
};

// --- fauxqs internals (2.4.1: dist/sqs/sqsStore.js, dist/sqs/sqsRouter.js) ----------------------------------------

interface FauxqsMessage extends GroupedMessage {
  messageId: string;
}

interface FauxqsQueue {
  name: string;
  /** visible messages, the front one handed out first */
  messages: FauxqsMessage[];
  delayedMessages: FauxqsMessage[];
  inflightMessages: Map<string, { message: FauxqsMessage }>;
  persistence?: { insertMessage(queueName: string, message: FauxqsMessage): void };
  isFifo(): boolean;
  /** moves delayed messages that are due, and in-flight ones whose visibility ended, to `messages` */
  processTimers(): void;
  dequeue(maxCount: number, ...rest: unknown[]): unknown[];
}

interface FauxqsStore {
  getQueue(url: string): FauxqsQueue | undefined;
}

// fauxqs's action handlers take the request's parsed JSON body.
type ActionHandler = (body: Record<string, unknown>, store: FauxqsStore, ...rest: unknown[]) => unknown;

interface FauxqsInternals {
  SqsQueue: {
    new (name: string, url: string, arn: string, attributes?: Record<string, string>): FauxqsQueue;
    prototype: FauxqsQueue;
  };
  SqsRouter: { prototype: { register(action: string, handler: ActionHandler): void } };
}

// fauxqs's queue and router: the modules beside its entry point, as its server uses them.
const loadInternals = async (): Promise<Partial<FauxqsInternals>> => {
  const [store, router] = await Promise.all([
    importFauxqsDist('sqs/sqsStore.js'),
    importFauxqsDist('sqs/sqsRouter.js'),
  ]);
  return { SqsQueue: store.SqsQueue, SqsRouter: router.SqsRouter } as Partial<FauxqsInternals>;
};

/** What this module relies on in fauxqs and no longer finds there; empty while fauxqs is as this module expects. */
export const fauxqsInternalProblems = async (): Promise<string[]> => {
  let internals: Partial<FauxqsInternals>;
  try {
    internals = await loadInternals();
  } catch (error) {
    return [`fauxqs's dist/sqs/sqsStore.js or sqsRouter.js does not load: ${String(error)}`];
  }
  const problems: string[] = [];
  const { SqsQueue, SqsRouter } = internals;
  if (typeof SqsRouter?.prototype?.register !== 'function')
    problems.push('SqsRouter.prototype.register is missing');
  if (typeof SqsQueue !== 'function')
    return [...problems, 'SqsQueue is not exported by dist/sqs/sqsStore.js'];
  for (const method of ['dequeue', 'processTimers', 'isFifo'] as const) {
    if (typeof SqsQueue.prototype[method] !== 'function')
      problems.push(`SqsQueue.prototype.${method} is missing`);
  }
  const probe = new SqsQueue('fair-queue-probe', 'http://127.0.0.1/000000000000/probe', 'arn:probe', {});
  if (!Array.isArray(probe.messages)) problems.push('a queue has no messages array');
  if (!Array.isArray(probe.delayedMessages)) problems.push('a queue has no delayedMessages array');
  if (!(probe.inflightMessages instanceof Map)) problems.push('a queue has no inflightMessages map');
  return problems;
};

const findFromEnd = (messages: readonly FauxqsMessage[], messageId: string) => {
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index]?.messageId === messageId) return messages[index];
  }
  return undefined;
};

/** Puts back the group fauxqs dropped from a standard queue's message, in memory and in its data directory. */
const keepGroup = (store: FauxqsStore, queueUrl: unknown, messageId: unknown, group: unknown) => {
  if (typeof queueUrl !== 'string' || typeof messageId !== 'string' || typeof group !== 'string') return;
  const queue = store.getQueue(queueUrl);
  if (!queue || queue.isFifo()) return;
  const message = findFromEnd(queue.messages, messageId) ?? findFromEnd(queue.delayedMessages, messageId);
  if (!message) return;
  message.messageGroupId = group;
  // fauxqs's own write of a new message (INSERT OR REPLACE), now with the group its schema already has a column for.
  queue.persistence?.insertMessage(queue.name, message);
};

// The wrappers run synchronously right after fauxqs's handler: no receive can run in between and see the message
// without its group.
const sendKeepingGroup =
  (send: ActionHandler): ActionHandler =>
  (body, store, ...rest) => {
    const result = send(body, store, ...rest) as { MessageId?: unknown } | undefined;
    keepGroup(store, body.QueueUrl, result?.MessageId, body.MessageGroupId);
    return result;
  };

const sendBatchKeepingGroups =
  (sendBatch: ActionHandler): ActionHandler =>
  (body, store, ...rest) => {
    const result = sendBatch(body, store, ...rest) as
      | { Successful?: { Id?: unknown; MessageId?: unknown }[] }
      | undefined;
    const entries = Array.isArray(body.Entries)
      ? (body.Entries as { Id?: unknown; MessageGroupId?: unknown }[])
      : [];
    const groupOf = new Map(entries.map((entry) => [entry.Id, entry.MessageGroupId]));
    for (const sent of result?.Successful ?? []) {
      keepGroup(store, body.QueueUrl, sent.MessageId, groupOf.get(sent.Id));
    }
    return result;
  };

const installed = Symbol.for('order-sync-monitor.fair-queues');

/**
 * Makes every fauxqs standard queue in this process a fair queue (FIFO queues are untouched). Call before
 * `startFauxqs`: the send handlers are wrapped as fauxqs registers them. Idempotent: fauxqs's classes are shared by
 * every module that imports it, so a second call (another test file in the same worker) changes nothing.
 */
export const installFairQueues = async (): Promise<void> => {
  const problems = await fauxqsInternalProblems();
  if (problems.length > 0) {
    throw new FauxqsInternalsError(
      `fauxqs changed under local/fair-queue.ts (written against fauxqs 2.4.1): ${problems.join('; ')}`,
    );
  }
  const { SqsQueue, SqsRouter } = (await loadInternals()) as FauxqsInternals;
  const queueProto = SqsQueue.prototype as FauxqsQueue & { [installed]?: true };
  if (queueProto[installed]) return;
  queueProto[installed] = true;

  const dequeue = queueProto.dequeue;
  queueProto.dequeue = function (this: FauxqsQueue, maxCount: number, ...rest: unknown[]) {
    if (!this.isFifo()) {
      // What fauxqs's dequeue does first, so that the order covers every message it is about to consider.
      this.processTimers();
      const next = fairNext(
        this.messages,
        [...this.inflightMessages.values()].map(({ message }) => message),
        Math.min(maxCount, 10),
      );
      if (next.some((message, index) => this.messages[index] !== message)) {
        const front = new Set(next);
        this.messages = [...next, ...this.messages.filter((message) => !front.has(message))];
      }
    }
    return dequeue.call(this, maxCount, ...rest);
  };

  const register = SqsRouter.prototype.register;
  SqsRouter.prototype.register = function (this: unknown, action: string, handler: ActionHandler) {
    const wrapped =
      action === 'SendMessage'
        ? sendKeepingGroup(handler)
        : action === 'SendMessageBatch'
          ? sendBatchKeepingGroups(handler)
          : handler;
    return register.call(this, action, wrapped);
  };
};
