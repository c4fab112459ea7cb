import { describe, expect, it } from 'vitest';
import { createBoundedCache } from '../../shared/adapters/hotwax/bounded-cache.js';

describe('the bounded file cache', () => {
  it('drops the least recently used entry beyond its entry limit', () => {
    const cache = createBoundedCache<string>({ maxEntries: 2 });
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.get('a');
    cache.set('c', 'C');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
  });

  it('stays within its weight limit and never keeps a file bigger than the limit', () => {
    const cache = createBoundedCache<string>({ maxEntries: 10, maxWeight: 10, weigh: (file) => file.length });
    cache.set('a', '123456');
    cache.set('b', '12345');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('12345');
    cache.set('huge', '12345678901');
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
