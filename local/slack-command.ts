import { config as loadDotenv } from 'dotenv';
import { renderPlainText, type SlackMessage } from '../shared/adapters/slack/block-kit.js';
import { startSlackSim } from '../sim/slack/slack-sim.js';
import { createSlackUser } from '../sim/slack/slack-user.js';
import { readEndpoints } from './local-aws.js';

/**
 * `npx tsx local/slack-command.ts "#1003"` (or `status`): sends `/ordersync <text>` to the running `npm start` the
 * way Slack would, signed with its SLACK_SIGNING_SECRET (the sandbox publishes its own in `.data/endpoints.json`),
 * and prints the ephemeral answer as a person would read it.
 */
const main = async () => {
  loadDotenv({ quiet: true });
  const text = process.argv.slice(2).join(' ');
  const running = readEndpoints(process.env);
  const secret = process.env.SLACK_SIGNING_SECRET || running?.sandbox?.env.SLACK_SIGNING_SECRET;
  if (!running?.url || !secret) {
    process.stderr.write(
      'No running npm start with a Slack signing secret: start it (the sandbox has one), or set SLACK_SIGNING_SECRET.\n',
    );
    process.exit(2);
  }
  // Only for the response_url and trigger id Slack sends with every command.
  const sim = await startSlackSim();
  let status = 1;
  try {
    const user = createSlackUser({
      sim,
      signingSecret: secret,
      actionsUrl: `${running.url}/slack/actions`,
      commandsUrl: `${running.url}/slack/commands`,
      ...(process.env.SLACK_TEAM_ID ? { teamId: process.env.SLACK_TEAM_ID } : {}),
    });
    const answer = await user.slashCommand(text);
    process.stdout.write(`/ordersync ${text} → HTTP ${answer.status}\n\n`);
    const message = answer.json as SlackMessage | undefined;
    process.stdout.write(`${message?.blocks ? renderPlainText(message) : answer.text}\n`);
    status = answer.status === 200 ? 0 : 1;
  } finally {
    await sim.close();
  }
  process.exit(status);
};

void main();
