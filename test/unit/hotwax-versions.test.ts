import { describe, expect, it } from 'vitest';
import {
  isHotwaxDecision,
  liveVersions,
  pickLiveVersion,
  wasRefreshed,
} from '../../shared/domain/hotwax-versions.js';
import type { HotwaxOrder } from '../../shared/domain/ports.js';

const order = (orderId: string, statusId: string, entryDate?: number): HotwaxOrder => ({
  orderId,
  externalId: '5123456789',
  statusId,
  entryDate,
});

describe('pickLiveVersion', () => {
  it('picks the only order when it is live', () => {
    expect(pickLiveVersion([order('HC1', 'ORDER_CREATED', 1)])?.orderId).toBe('HC1');
  });

  it('picks the new version after a refresh, not the cancelled old one', () => {
    const versions = [order('HC1', 'ORDER_CANCELLED', 1), order('HC2', 'ORDER_COMPLETED', 2)];
    expect(pickLiveVersion(versions)?.orderId).toBe('HC2');
  });

  it('picks the newest live order by entryDate whatever the list order', () => {
    const versions = [order('HC3', 'ORDER_APPROVED', 30), order('HC9', 'ORDER_CREATED', 10)];
    expect(pickLiveVersion(versions)?.orderId).toBe('HC3');
  });

  it('breaks an entryDate tie with the later HotWax order id', () => {
    const versions = [order('HC10041', 'ORDER_CREATED', 5), order('HC10042', 'ORDER_COMPLETED', 5)];
    expect(pickLiveVersion(versions)?.orderId).toBe('HC10042');
  });

  it('finds nothing live when every version is cancelled, or there is none', () => {
    expect(pickLiveVersion([order('HC1', 'ORDER_CANCELLED', 1)])).toBeUndefined();
    expect(pickLiveVersion([])).toBeUndefined();
  });
});

describe('wasRefreshed', () => {
  it('sees a refresh in an old cancelled version and a newer live one', () => {
    expect(wasRefreshed([order('HC1', 'ORDER_CANCELLED', 1), order('HC2', 'ORDER_COMPLETED', 2)])).toBe(true);
  });

  it('sees no refresh in a single live order', () => {
    expect(wasRefreshed([order('HC1', 'ORDER_CREATED', 1)])).toBe(false);
  });

  it('sees no refresh when the cancelled version is the newer one', () => {
    expect(wasRefreshed([order('HC1', 'ORDER_CREATED', 1), order('HC2', 'ORDER_CANCELLED', 2)])).toBe(false);
  });

  it('checks that the very order the monitor refreshed was the one cancelled', () => {
    const versions = [order('HC1', 'ORDER_CANCELLED', 1), order('HC2', 'ORDER_COMPLETED', 2)];
    expect(wasRefreshed(versions, 'HC1')).toBe(true);
    expect(wasRefreshed(versions, 'HC2')).toBe(false);
  });
});

describe('liveVersions', () => {
  it('keeps every order that is not cancelled, newest first: two of them are an ambiguity', () => {
    const versions = [
      order('HC1', 'ORDER_COMPLETED', 1),
      order('HC2', 'ORDER_CANCELLED', 2),
      order('HC3', 'ORDER_CREATED', 3),
    ];
    expect(liveVersions(versions).map((version) => version.orderId)).toEqual(['HC3', 'HC1']);
  });

  it("counts a rejected or expired order as live: it is HotWax's decision on an order it holds", () => {
    expect(liveVersions([order('HC1', 'ORDER_REJECTED', 1), order('HC2', 'ORDER_EXPIRED', 2)])).toHaveLength(
      2,
    );
    expect(isHotwaxDecision(order('HC1', 'ORDER_REJECTED'))).toBe(true);
    expect(isHotwaxDecision(order('HC1', 'ORDER_EXPIRED'))).toBe(true);
    expect(isHotwaxDecision(order('HC1', 'ORDER_CANCELLED'))).toBe(false);
    expect(isHotwaxDecision(order('HC1', 'ORDER_APPROVED'))).toBe(false);
  });
});
