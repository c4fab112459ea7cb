import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackRequest } from '../../shared/adapters/slack/request-signature.js';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = Date.UTC(2026, 4, 4, 9, 0);
const timestamp = String(Math.floor(now / 1000));
const body = Buffer.from('token=x&team_id=T000&command=%2Fordersync&text=%231001');
const headers = (overrides: Record<string, string | undefined> = {}) => ({
  'x-slack-request-timestamp': timestamp,
  'x-slack-signature': slackSignature(secret, timestamp, body),
  ...overrides,
});

describe("Slack's request signature, on the raw bytes", () => {
  it("accepts Slack's v0 HMAC-SHA256 of v0:<timestamp>:<body>", () => {
    expect(verifySlackRequest({ secret, rawBody: body, headers: headers(), now })).toEqual({
      authentic: true,
    });
  });

  it("matches Slack's documented example", () => {
    // api.slack.com › Verifying requests from Slack: the example request and its signature.
    const example = Buffer.from(
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    );
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', '1531420618', example)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it.each([
    [
      'a forged signature',
      { 'x-slack-signature': slackSignature('another-secret', timestamp, body) },
      'signature mismatch',
    ],
    ['no signature', { 'x-slack-signature': undefined }, 'unsigned request'],
    ['no timestamp', { 'x-slack-request-timestamp': undefined }, 'unsigned request'],
    ['a malformed timestamp', { 'x-slack-request-timestamp': '12a' }, 'malformed timestamp'],
    ['a signature of another length', { 'x-slack-signature': 'v0=abc' }, 'signature mismatch'],
  ])('refuses %s', (_name, override, reason) => {
    expect(verifySlackRequest({ secret, rawBody: body, headers: headers(override), now })).toEqual({
      authentic: false,
      reason,
    });
  });

  it('refuses a replay: a correctly signed request more than 5 minutes old (or ahead)', () => {
    const old = String(Math.floor(now / 1000) - 301);
    const signed = {
      'x-slack-request-timestamp': old,
      'x-slack-signature': slackSignature(secret, old, body),
    };
    expect(verifySlackRequest({ secret, rawBody: body, headers: signed, now })).toMatchObject({
      authentic: false,
      reason: expect.stringContaining('older than 5 minutes'),
    });
    const future = String(Math.floor(now / 1000) + 301);
    const ahead = {
      'x-slack-request-timestamp': future,
      'x-slack-signature': slackSignature(secret, future, body),
    };
    expect(verifySlackRequest({ secret, rawBody: body, headers: ahead, now }).authentic).toBe(false);
    const recent = String(Math.floor(now / 1000) - 299);
    const fresh = {
      'x-slack-request-timestamp': recent,
      'x-slack-signature': slackSignature(secret, recent, body),
    };
    expect(verifySlackRequest({ secret, rawBody: body, headers: fresh, now }).authentic).toBe(true);
  });

  it('refuses a body changed by one byte, including bytes a UTF-8 decoding would alter', () => {
    const changed = Buffer.from(body);
    changed[changed.length - 1] = 0x32;
    expect(verifySlackRequest({ secret, rawBody: changed, headers: headers(), now }).authentic).toBe(false);
    const invalidUtf8 = Buffer.concat([body, Buffer.from([0xff])]);
    const signed = { 'x-slack-signature': slackSignature(secret, timestamp, invalidUtf8) };
    expect(
      verifySlackRequest({ secret, rawBody: invalidUtf8, headers: headers(signed), now }).authentic,
    ).toBe(true);
    const decoded = Buffer.from(invalidUtf8.toString('utf8'));
    expect(verifySlackRequest({ secret, rawBody: decoded, headers: headers(signed), now }).authentic).toBe(
      false,
    );
  });
});
