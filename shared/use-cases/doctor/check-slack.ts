import { attention, checkList, type Outcome, ok } from './check-kit.js';
import type { DoctorCheck, ExplainFailure, SlackProbe } from './doctor-ports.js';

/** `https://hooks.slack.com/services/T…/B…/…` (also Slack's GovSlack host); loopback for simulators. */
const webhookLine = (raw: string): Outcome => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { status: 'config', detail: 'SLACK_WEBHOOK_URL is not a URL.' };
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const slackHost = ['hooks.slack.com', 'hooks.slack-gov.com'].includes(url.hostname);
  const path = /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+\/?$/.test(url.pathname);
  const secure = url.protocol === 'https:' || (loopback && url.protocol === 'http:');
  if ((slackHost || loopback) && path && secure)
    return ok(
      `SLACK_WEBHOOK_URL is a well-formed incoming webhook (${url.hostname}). Not posted to: doctor never posts.`,
    );
  return {
    status: 'config',
    detail: `SLACK_WEBHOOK_URL does not look like a Slack incoming webhook (https://hooks.slack.com/services/T…/B…/…). Copy it again from the Slack app's Incoming Webhooks page.`,
  };
};

/**
 * Slack, without posting: an incoming webhook URL is well-formed; a bot token is accepted (`auth.test`), holds
 * chat:write, and the bot may post in SLACK_CHANNEL_ID (`conversations.info`: a member, or chat:write.public in a
 * public channel).
 */
export const checkSlack = async (probe: SlackProbe, explain: ExplainFailure): Promise<DoctorCheck[]> => {
  const list = checkList(explain);
  if (probe.kind === 'console') {
    list.add('slack', 'Slack', {
      status: 'skipped',
      detail:
        'Not configured: the messages people must read are printed (npm start) or logged (AWS) instead. Set SLACK_BOT_TOKEN and SLACK_CHANNEL_ID, or SLACK_WEBHOOK_URL.',
    });
    return list.checks;
  }
  if (probe.kind === 'webhook') {
    list.add('slack.webhook', 'Slack incoming webhook', webhookLine(probe.url));
    return list.checks;
  }
  let scopes: string[] | undefined;
  const accepted = await list.run('slack.token', 'Slack token', async () => {
    const who = await probe.authTest();
    scopes = who.scopes;
    const identity = [who.user && `bot ${who.user}`, who.team && `workspace ${who.team}`].filter(Boolean);
    if (scopes && !scopes.includes('chat:write'))
      return attention(
        `SLACK_BOT_TOKEN is accepted${identity.length ? ` (${identity.join(', ')})` : ''} but lacks the chat:write scope, so no message can be posted. Add chat:write under OAuth & Permissions and reinstall the Slack app.`,
      );
    return ok(`SLACK_BOT_TOKEN is accepted${identity.length ? ` (${identity.join(', ')})` : ''}.`);
  });
  if (!accepted) {
    list.skip([['slack.channel', 'Slack channel']], 'Slack did not accept the token');
    return list.checks;
  }
  const publicPosting = scopes?.includes('chat:write.public') ?? false;
  await list.run('slack.channel', 'Slack channel', async () => {
    const channel = await probe.channelInfo();
    const name = channel.name ? `#${channel.name}` : probe.channel;
    if (channel.isArchived)
      return attention(
        `${name} (SLACK_CHANNEL_ID) is archived: nothing can be posted there. Pick another channel.`,
      );
    if (channel.isMember)
      return ok(`The bot is a member of ${name}, so it can post there. Nothing was posted.`);
    if (publicPosting && !channel.isPrivate)
      return ok(`The bot is not in ${name}, but chat:write.public lets it post in public channels.`);
    return attention(
      `The bot is not a member of ${name}, so Slack refuses its messages (not_in_channel). Invite it: /invite @<the bot> in ${name}.`,
    );
  });
  return list.checks;
};
