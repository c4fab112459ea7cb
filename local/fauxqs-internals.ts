import { realpathSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** fauxqs changed under a module of `local/` that reaches into it (each names the fauxqs it was written against). */
export class FauxqsInternalsError extends Error {
  override name = 'FauxqsInternalsError';
}

/**
 * A module of fauxqs's `dist` (fauxqs exports only its entry point), loaded from the very file — real path, as Node's
 * loader resolves it — that fauxqs itself loads, so its classes are the ones fauxqs's server uses.
 */
export const importFauxqsDist = async (relativePath: string): Promise<Record<string, unknown>> => {
  const packageJson = findPackageJSON('fauxqs', import.meta.url);
  if (!packageJson) throw new Error('fauxqs is not installed');
  const dist = join(realpathSync(dirname(packageJson)), 'dist');
  return import(pathToFileURL(join(dist, relativePath)).href);
};
