import { renderPlainText, type SlackMessage } from './block-kit.js';
import type { SlackTransport } from './slack-sender.js';

/**
 * Prints messages as readable text for local runs without Slack. It hands out fake ts values so threads and
 * digest edits behave as with the Web API and the printed flow reads the same.
 */
export const createConsoleSlackSender = (write: (text: string) => void = console.log): SlackTransport => {
  let counter = 0;
  const nextTs = () => {
    counter += 1;
    return `console.${String(counter).padStart(6, '0')}`;
  };
  return {
    kind: 'console',
    supportsThreads: true,
    supportsUpdate: true,
    async post(message: SlackMessage, options = {}) {
      const ts = nextTs();
      const where = options.threadTs ? ` (reply in thread ${options.threadTs})` : '';
      write(`[slack ${ts}${where}]\n${renderPlainText(message)}\n`);
      return { ts };
    },
    async update(ts: string, message: SlackMessage) {
      write(`[slack ${ts} updated]\n${renderPlainText(message)}\n`);
    },
  };
};
