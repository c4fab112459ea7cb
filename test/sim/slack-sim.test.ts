import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackSim, startSlackSim } from '../../sim/slack/slack-sim.js';

let sim: SlackSim;
beforeAll(async () => {
  sim = await startSlackSim({ channels: ['C1'], userGroups: { S1: ['U1', 'U2'] } });
});
afterAll(() => sim.close());

const call = async (method: string, args: Record<string, unknown>) =>
  (await (
    await fetch(`${sim.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(args),
    })
  ).json()) as Record<string, unknown>;

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the Slack simulator, for the app side', () => {
  it('opens a modal only with a trigger id it issued, once', async () => {
    const trigger = sim.issueTrigger();
    const view = { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] };
    expect(await call('views.open', { trigger_id: trigger, view })).toMatchObject({ ok: true });
    expect(await call('views.open', { trigger_id: trigger, view })).toEqual({
      ok: false,
      error: 'expired_trigger_id',
    });
    expect(await call('views.open', { trigger_id: 'made-up', view })).toEqual({
      ok: false,
      error: 'expired_trigger_id',
    });
    expect(sim.views).toHaveLength(1);
  });

  it("lists a user group's members", async () => {
    expect(await call('usergroups.users.list', { usergroup: 'S1' })).toEqual({
      ok: true,
      users: ['U1', 'U2'],
    });
    expect(await call('usergroups.users.list', { usergroup: 'S9' })).toMatchObject({ ok: false });
  });

  it('replaces the message a response_url belongs to, records every post, and takes at most five', async () => {
    const posted = await call('chat.postMessage', { channel: 'C1', text: 'before' });
    const url = sim.issueResponseUrl({ kind: 'message', channel: 'C1', ts: String(posted.ts) });
    expect((await post(url, { replace_original: true, text: 'after' })).status).toBe(200);
    expect(sim.messages.at(-1)).toMatchObject({ text: 'after', updates: 1 });
    expect((await post(url, { response_type: 'ephemeral', text: 'only you' })).status).toBe(200);
    expect(sim.responses.map((response) => response.body.text)).toEqual(['after', 'only you']);
    for (let use = 0; use < 3; use++) await post(url, { text: 'more' });
    expect((await post(url, { text: 'sixth' })).status).toBe(404);
    expect((await post(`${sim.url}/actions/T000/0/unknown`, { text: 'x' })).status).toBe(404);
  });
});
