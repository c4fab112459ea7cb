import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fauxqsDurabilityProblems, installNormalSync } from '../../local/fauxqs-durability.js';
import { importFauxqsDist } from '../../local/fauxqs-internals.js';

type Persistence = {
  db: { prepare(sql: string): { get(): Record<string, unknown> } };
  close(): void;
};

/**
 * fauxqs's queues on disk sync at WAL checkpoints, not at every commit (`local/fauxqs-durability.ts`). That a
 * killed npm start loses no acknowledged order with it is `test/fault/killed-mid-load.test.ts`.
 */
describe("fauxqs's persistence", () => {
  it('is still the fauxqs local/fauxqs-durability.ts wraps (a fauxqs upgrade must fail here, loudly)', async () => {
    expect(await fauxqsDurabilityProblems()).toEqual([]);
  });

  it('opens its database in WAL mode with synchronous NORMAL, the class fauxqs itself uses', async () => {
    await installNormalSync();
    await installNormalSync(); // idempotent: wrapped once
    const { PersistenceManager } = (await importFauxqsDist('persistence.js')) as {
      PersistenceManager: new (dataDir: string) => Persistence;
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'osm-fauxqs-sync-'));
    const persistence = new PersistenceManager(dataDir);
    try {
      expect(persistence.db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      // 1 = NORMAL (SQLite's default, 2 = FULL, is what fauxqs 2.4.1 leaves)
      expect(persistence.db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 });
    } finally {
      persistence.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
