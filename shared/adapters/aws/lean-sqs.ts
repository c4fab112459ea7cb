import { createHash } from 'node:crypto';
import {
  type AwsJsonClient,
  type AwsJsonClientConfig,
  createAwsJsonClient,
  refusedCommand,
  UnsupportedCommandError,
} from './aws-json-client.js';

/**
 * Stands in for `@aws-sdk/client-sqs` in the webhook function's bundle (an esbuild alias, see
 * `infra/constructs/bundling.ts`): SendMessage and SendMessageBatch, the check queue's two operations, over SQS's
 * JSON protocol, whose request and response members are the SDK's input and output as they are. As the SDK's
 * `@aws-sdk/middleware-sdk-sqs` does, the queue URL's host is the endpoint unless one is configured, and the MD5 SQS
 * answers is compared with the body sent. The other functions keep the SDK.
 */

type Sqs = typeof import('@aws-sdk/client-sqs');
type InputOf<C extends keyof Sqs> = Sqs[C] extends new (input: infer I) => unknown ? I : never;

abstract class QueueCommand<Input extends { QueueUrl: string | undefined }> {
  abstract readonly operation: string;
  constructor(readonly input: Input) {}
}

export class SendMessageCommand extends QueueCommand<InputOf<'SendMessageCommand'>> {
  readonly operation = 'SendMessage';
}

export class SendMessageBatchCommand extends QueueCommand<InputOf<'SendMessageBatchCommand'>> {
  readonly operation = 'SendMessageBatch';
}

export const ReceiveMessageCommand = refusedCommand('ReceiveMessageCommand');
export const DeleteMessageBatchCommand = refusedCommand('DeleteMessageBatchCommand');
export const ChangeMessageVisibilityBatchCommand = refusedCommand('ChangeMessageVisibilityBatchCommand');
export const GetQueueAttributesCommand = refusedCommand('GetQueueAttributesCommand');
export const StartMessageMoveTaskCommand = refusedCommand('StartMessageMoveTaskCommand');
export const ListMessageMoveTasksCommand = refusedCommand('ListMessageMoveTasksCommand');

const md5 = (text: string | undefined) =>
  createHash('md5')
    .update(text ?? '')
    .digest('hex');

export class SQSClient {
  readonly transport: AwsJsonClient;
  readonly config: AwsJsonClient['config'];
  private readonly endpoint: string | undefined;

  constructor(config: AwsJsonClientConfig = {}) {
    this.endpoint = config.endpoint;
    this.transport = createAwsJsonClient(config, {
      service: 'sqs',
      targetPrefix: 'AmazonSQS',
      contentType: 'application/x-amz-json-1.0',
      headers: { 'x-amzn-query-mode': 'true' },
      defaultEndpoint: (region) => `https://sqs.${region}.amazonaws.com`,
    });
    this.config = this.transport.config;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the SDK's `send` is typed per command; callers read its output members
  async send(command: QueueCommand<{ QueueUrl: string | undefined }> | { refused: string }): Promise<any> {
    if (!(command instanceof QueueCommand))
      throw new UnsupportedCommandError(`${command.refused} is not carried by the webhook bundle`);
    const queueUrl = command.input.QueueUrl;
    const endpoint = this.endpoint ?? (queueUrl ? new URL(queueUrl).origin : undefined);
    const output = await this.transport.call(
      command.operation,
      command.input as unknown as Record<string, unknown>,
      endpoint,
    );
    if (command instanceof SendMessageCommand) {
      if (output.MD5OfMessageBody !== md5(command.input.MessageBody)) throw new Error('InvalidChecksumError');
    } else if (command instanceof SendMessageBatchCommand) {
      const sent = new Map((command.input.Entries ?? []).map((entry) => [entry.Id, entry.MessageBody]));
      const wrong = (
        (output.Successful ?? []) as Array<{ Id?: string; MD5OfMessageBody?: string; MessageId?: string }>
      )
        .filter((entry) => sent.has(entry.Id) && entry.MD5OfMessageBody !== md5(sent.get(entry.Id)))
        .map((entry) => entry.MessageId);
      if (wrong.length > 0) throw new Error(`Invalid MD5 checksum on messages: ${wrong.join(', ')}`);
    }
    return output;
  }

  destroy() {}
}
