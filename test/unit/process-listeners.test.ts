import { describe, expect, it } from 'vitest';
import { processListeners } from '../../shared/adapters/process-listeners.js';

describe('processListeners', () => {
  it("is the process's: another copy of a module (a bundle's) tells the same listeners of its kind", () => {
    const heard: string[] = [];
    const mine = processListeners<[string]>('test-news');
    const bundled = processListeners<[string]>('test-news');
    const other = processListeners<[string]>('other-news');
    const unsubscribe = mine.on((news) => heard.push(news));
    bundled.tell('from the bundle');
    other.tell('not heard');
    unsubscribe();
    bundled.tell('after unsubscribing');
    expect(heard).toEqual(['from the bundle']);
  });

  it('keeps telling the others when one listener throws', () => {
    const heard: string[] = [];
    const news = processListeners<[string]>('throwing-news');
    const offs = [
      news.on(() => {
        throw new Error('listener trouble');
      }),
      news.on((line) => heard.push(line)),
    ];
    expect(() => news.tell('still told')).not.toThrow();
    expect(heard).toEqual(['still told']);
    for (const off of offs) off();
  });
});
