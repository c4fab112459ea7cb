/**
 * How fauxqs keeps npm start's queues on disk: SQLite in WAL mode (fauxqs's own choice) with `synchronous = NORMAL`
 * instead of SQLite's default FULL.
 *
 * fauxqs 2.4.1 (`dist/persistence.js`) writes every send, receive and delete through to SQLite as its own commit, on
 * the event loop that also answers Shopify: with FULL, each commit waited for an fsync of the write-ahead log, three
 * per check. With NORMAL a commit is not synced; the log is synced at its checkpoints. What that keeps, in SQLite's
 * words (https://www.sqlite.org/pragma.html#pragma_synchronous): a WAL database with NORMAL is never corrupted, and
 * a commit is durable across an application crash — npm start killed, even with SIGKILL, loses no message
 * (`test/fault/killed-mid-load.test.ts`). What it gives up: after a power loss or an operating-system crash the
 * last commits may roll back. A check lost that way is what the sweep's lost-check recovery is for (a record past its
 * `nextCheckAt` is queued again); a message that comes back is a redelivery, which the checker already absorbs.
 *
 * fauxqs has no option for it and does not expose its database, so this wraps the one method its persistence calls
 * right after opening the database; `fauxqsDurabilityProblems` (pinned by a test) says when fauxqs changed under it.
 */
import { FauxqsInternalsError, importFauxqsDist } from './fauxqs-internals.js';

interface FauxqsPersistence {
  db: { exec(sql: string): void };
  prepareStatements(...rest: unknown[]): unknown;
}
type PersistenceClass = { prototype: FauxqsPersistence };

const installed = Symbol.for('order-sync-monitor.fauxqs-synchronous-normal');

const loadPersistence = async (): Promise<PersistenceClass | undefined> =>
  (await importFauxqsDist('persistence.js')).PersistenceManager as PersistenceClass | undefined;

/** What this module relies on in fauxqs and no longer finds there; empty while fauxqs is as this module expects. */
export const fauxqsDurabilityProblems = async (): Promise<string[]> => {
  let manager: unknown;
  try {
    manager = await loadPersistence();
  } catch (error) {
    return [`fauxqs's dist/persistence.js does not load: ${String(error)}`];
  }
  if (typeof manager !== 'function') return ['PersistenceManager is not exported by dist/persistence.js'];
  if (typeof (manager as PersistenceClass).prototype.prepareStatements !== 'function')
    return ['PersistenceManager.prototype.prepareStatements is missing'];
  return [];
};

/**
 * Every fauxqs persistence opened in this process from now on syncs at checkpoints only (`synchronous = NORMAL`).
 * Call before `startFauxqs`. Idempotent: a second call (another test file in the same worker) changes nothing.
 */
export const installNormalSync = async (): Promise<void> => {
  const problems = await fauxqsDurabilityProblems();
  if (problems.length > 0) {
    throw new FauxqsInternalsError(
      `fauxqs changed under local/fauxqs-durability.ts (written against fauxqs 2.4.1): ${problems.join('; ')}`,
    );
  }
  const proto = ((await loadPersistence()) as PersistenceClass).prototype as FauxqsPersistence & {
    [installed]?: true;
  };
  if (proto[installed]) return;
  proto[installed] = true;
  const prepareStatements = proto.prepareStatements;
  proto.prepareStatements = function (this: FauxqsPersistence, ...rest: unknown[]) {
    this.db.exec('PRAGMA synchronous = NORMAL');
    return prepareStatements.apply(this, rest);
  };
};
