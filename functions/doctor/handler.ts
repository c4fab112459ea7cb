import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type DoctorReport, runDoctor } from '../../shared/use-cases/doctor/doctor.js';
import { doctorDeps, logger } from './deps.js';

/**
 * `doctor` in AWS, without a laptop: invoke it (console "Test", or `aws lambda invoke`) with any event, e.g. `{}`.
 * It answers the same report as `npm run cli -- doctor --json`, from the deployed functions' configuration and
 * secrets, and logs one line per check. Read-only, like the CLI: it is never scheduled and triggers nothing.
 */
export const handler = middy<unknown, DoctorReport>()
  .use(injectLambdaContext(logger))
  .handler(async () => {
    const report = await runDoctor(await doctorDeps(), { now: Date.now() });
    for (const check of report.checks) {
      const line = `${check.status} ${check.label}: ${check.detail}`;
      if (check.status === 'ok' || check.status === 'skipped') logger.info(line, { check: check.id });
      else logger.warn(line, { check: check.id, ...(check.shop ? { shop: check.shop } : {}) });
    }
    logger.info(report.summary, { exitCode: report.exitCode });
    return report;
  });
