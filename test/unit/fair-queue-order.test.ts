import { describe, expect, it } from 'vitest';
import { fairNext, noisyMinInFlight, noisyShareOfInFlight } from '../../local/fair-queue.js';

/** The order of "How Amazon SQS fair queues work" (AWS Developer Guide), as the local fauxqs hands messages out. */
const messages = (group: string | undefined, count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => ({
    id: `${group ?? 'none'}-${from + index}`,
    messageGroupId: group,
  }));
type Message = { id: string; messageGroupId: string | undefined };
const ids = (picked: { id: string }[]) => picked.map(({ id }) => id);

describe('the order a fair queue hands messages out in', () => {
  it('is the usual order while no tenant is noisy (steady state)', () => {
    const visible = [...messages('a', 3), ...messages('b', 2), ...messages(undefined, 2)];
    expect(ids(fairNext(visible, messages('a', 5), 10))).toEqual(ids(visible));
  });

  it("hands out the quiet tenants' messages first while one tenant is noisy, then the noisy one's", () => {
    const visible = [...messages('a', 5, 40), ...messages('b', 2), ...messages(undefined, 1)];
    expect(ids(fairNext(visible, messages('a', 40), 6))).toEqual([
      'b-0',
      'b-1',
      'none-0',
      'a-40',
      'a-41',
      'a-42',
    ]);
  });

  it('needs both the share and the count: 30 in flight among many is not noisy, nor 29 alone', () => {
    const manyInFlight = [...messages('a', noisyMinInFlight), ...messages(undefined, 300)];
    const visible = [...messages('a', 2, 100), ...messages('b', 1)];
    expect(ids(fairNext(visible, manyInFlight, 3))).toEqual(['a-100', 'a-101', 'b-0']);
    expect(ids(fairNext(visible, messages('a', noisyMinInFlight - 1), 3))).toEqual(['a-100', 'b-0', 'a-101']);
  });

  it('serves the noisy tenant with the fewest in flight first when no quiet message waits', () => {
    const visible = [...messages('a', 3, 100), ...messages('c', 3, 100)];
    const inFlight = [...messages('a', 60), ...messages('c', 40)];
    // c has 40 in flight, a 60: c first until it catches up, then turn about.
    expect(ids(fairNext(visible, inFlight, 6))).toEqual([
      'c-100',
      'c-101',
      'c-102',
      'a-100',
      'a-101',
      'a-102',
    ]);
    expect(ids(fairNext(visible, [...messages('a', 41), ...messages('c', 40)], 4))).toEqual([
      'c-100',
      'a-100',
      'c-101',
      'a-101',
    ]);
  });

  it('is the order of the plain rule — each pick rescans the visible messages — on many random queues', () => {
    // The rule as the AWS guide states it, one pick at a time; fairNext gets there in one pass.
    const byTheRule = (visible: Message[], inFlight: Message[], count: number) => {
      const own = new Map<string, number>();
      for (const { messageGroupId } of inFlight)
        if (messageGroupId !== undefined) own.set(messageGroupId, (own.get(messageGroupId) ?? 0) + 1);
      let total = inFlight.length;
      const left = [...visible];
      const picked: Message[] = [];
      while (picked.length < Math.min(count, visible.length)) {
        const ownOf = (message: Message) =>
          message.messageGroupId === undefined ? 0 : (own.get(message.messageGroupId) ?? 0);
        const noisy = (message: Message) =>
          ownOf(message) >= noisyMinInFlight && ownOf(message) > noisyShareOfInFlight * total;
        const quiet = left.find((message) => !noisy(message));
        const next = quiet ?? left.reduce((best, message) => (ownOf(message) < ownOf(best) ? message : best));
        left.splice(left.indexOf(next), 1);
        picked.push(next);
        total++;
        if (next.messageGroupId !== undefined)
          own.set(next.messageGroupId, (own.get(next.messageGroupId) ?? 0) + 1);
      }
      return picked;
    };
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    const groups = ['a', 'b', 'c', undefined];
    const pickGroup = () => groups[random(groups.length)];
    for (let round = 0; round < 500; round++) {
      const visible = Array.from({ length: random(60) }, (_, index) => ({
        id: `v${index}`,
        messageGroupId: pickGroup(),
      }));
      const inFlight = Array.from({ length: random(200) }, (_, index) => ({
        id: `f${index}`,
        messageGroupId: pickGroup(),
      }));
      const count = 1 + random(12);
      expect(ids(fairNext(visible, inFlight, count))).toEqual(ids(byTheRule(visible, inFlight, count)));
    }
  });
});
