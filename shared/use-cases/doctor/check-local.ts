import { attention, checkList, ok } from './check-kit.js';
import type { DoctorCheck, ExplainFailure, LocalProbe } from './doctor-ports.js';

const portOf = (url: string | undefined): number | undefined => {
  if (!url) return undefined;
  try {
    return Number(new URL(url).port) || undefined;
  } catch {
    return undefined;
  }
};

/** This machine, for `npm start`: Java 17+ for DynamoDB Local, a free PORT, a writable LOCAL_DATA_DIR. */
export const checkLocal = async (probe: LocalProbe, explain: ExplainFailure): Promise<DoctorCheck[]> => {
  const list = checkList(explain);
  await list.run('local.java', 'Java', async () => {
    const major = await probe.javaMajorVersion();
    if (major === undefined)
      return attention(
        'Java 17+ is required for DynamoDB Local and was not found: install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17).',
      );
    if (major < 17)
      return attention(`Java ${major} found; DynamoDB Local needs Java 17+: install a newer one.`);
    return ok(`Java ${major} (DynamoDB Local needs 17+).`);
  });
  await list.run('local.port', 'Local port', async () => {
    const running = probe.runningMonitorUrl;
    if (running && portOf(running) === probe.port)
      return ok(`PORT ${probe.port} is the running npm start's (${running}).`);
    if (await probe.isPortFree(probe.port))
      return ok(
        `PORT ${probe.port} is free${running ? ` (the npm start running here listens at ${running})` : ''}.`,
      );
    return attention(
      `PORT ${probe.port} is in use by another program, so npm start cannot listen there: set PORT to a free port (e.g. PORT=3001).`,
    );
  });
  await list.run('local.data-dir', 'Local data directory', async () => {
    const problem = await probe.dataDirProblem(probe.dataDir);
    return problem
      ? attention(
          `${probe.dataDir} (LOCAL_DATA_DIR) is not writable: ${problem}. Set LOCAL_DATA_DIR to a directory you own.`,
        )
      : ok(`${probe.dataDir} (LOCAL_DATA_DIR) is writable.`);
  });
  return list.checks;
};
