import type { HotwaxRepairJournal, RepairJournalEntry } from '../../domain/ports.js';

/**
 * The repair journal in one process's memory: the lock works between concurrent callers of this process, but a
 * crash loses the record. For tests, the local sandbox and benchmarks; deployments use the DynamoDB journal.
 */
export const createInMemoryRepairJournal = (): HotwaxRepairJournal & {
  entries(): RepairJournalEntry[];
} => {
  const entries = new Map<string, RepairJournalEntry>();
  const copy = (entry: RepairJournalEntry): RepairJournalEntry => ({
    ...entry,
    ...(entry.originalParameters
      ? { originalParameters: entry.originalParameters.map((parameter) => ({ ...parameter })) }
      : {}),
  });
  return {
    async claim({ shop, owner, claimedAt }) {
      if (entries.has(shop)) return false;
      entries.set(shop, { shop, owner, claimedAt });
      return true;
    },
    async record(shop, owner, swap) {
      const entry = entries.get(shop);
      if (entry?.owner !== owner) return false;
      entries.set(shop, copy({ ...entry, ...swap }));
      return true;
    },
    async get(shop) {
      const entry = entries.get(shop);
      return entry && copy(entry);
    },
    async release(shop, owner) {
      if (entries.get(shop)?.owner === owner) entries.delete(shop);
    },
    entries: () => [...entries.values()].map(copy),
  };
};
