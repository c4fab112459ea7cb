import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key of the timeline links locally: TIMELINE_LINK_KEY when set; otherwise one generated for the data
 * directory and kept in it (`timeline-link.key`, readable by its owner only), so links printed before a restart
 * still open after it. The sandbox, which starts fresh, gets a new key each run.
 */
export const localTimelineLinkKey = (dataDir: string | undefined): string => {
  const fresh = () => randomBytes(32).toString('base64url');
  if (!dataDir) return fresh();
  const file = join(dataDir, 'timeline-link.key');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = fresh();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
};
