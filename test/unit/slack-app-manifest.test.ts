import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slackPaths } from '../../infra/stacks/stateless-stack.js';

const repo = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(repo, 'slack-app-manifest.json'), 'utf8'));
const readme = readFileSync(join(repo, 'README.md'), 'utf8');

describe('the Slack app manifest the project ships', () => {
  it("points interactivity and /ordersync at the monitor's routes", () => {
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe('/slack/actions');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    const [command] = manifest.features.slash_commands;
    expect(command).toMatchObject({ command: '/ordersync', should_escape: false });
    expect(new URL(command.url).pathname).toBe('/slack/commands');
    expect(
      [manifest.settings.interactivity.request_url, command.url].map((url: string) => new URL(url).pathname),
    ).toEqual([...slackPaths]);
  });

  it('asks for the scopes the monitor uses and the README names, no more', () => {
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    expect(scopes.sort()).toEqual([
      'channels:read',
      'chat:write',
      'commands',
      'groups:read',
      'usergroups:read',
    ]);
    for (const scope of scopes) expect(readme).toContain(`\`${scope}\``);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });
});
