import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import type { LocalProbe } from '../shared/use-cases/doctor/doctor-ports.js';
import { javaMajorVersion } from './emulators.js';

const isPortFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    // Port 0 means "any free port": always available.
    if (port === 0) return resolve(true);
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** Why the directory cannot be created and written (checked on it, or its nearest existing parent), without writing. */
const dataDirProblem = async (dir: string): Promise<string | undefined> => {
  for (let candidate = dir; ; candidate = dirname(candidate)) {
    const found = await stat(candidate).catch(() => undefined);
    if (found) {
      if (!found.isDirectory()) return `${candidate} is a file, not a directory`;
      try {
        await access(candidate, constants.W_OK | constants.X_OK);
        return undefined;
      } catch {
        return candidate === dir ? 'no write permission' : `${candidate} cannot be written to create it`;
      }
    }
    if (dirname(candidate) === candidate) return 'no parent directory exists';
  }
};

/** This machine as `npm start` needs it. */
export const createLocalProbe = (params: {
  port: number;
  dataDir: string;
  runningMonitorUrl?: string | undefined;
}): LocalProbe => ({
  port: params.port,
  dataDir: params.dataDir,
  ...(params.runningMonitorUrl ? { runningMonitorUrl: params.runningMonitorUrl } : {}),
  javaMajorVersion: async () => javaMajorVersion().major,
  isPortFree,
  dataDirProblem,
});
