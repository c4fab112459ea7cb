import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, type marshallOptions, unmarshall, type unmarshallOptions } from '@aws-sdk/util-dynamodb';
import {
  type AwsJsonClient,
  type AwsJsonClientConfig,
  createAwsJsonClient,
  refusedCommand,
  UnsupportedCommandError,
} from './aws-json-client.js';

/**
 * Stands in for `@aws-sdk/client-dynamodb` and `@aws-sdk/lib-dynamodb` in the webhook function's bundle (esbuild
 * aliases, see `infra/constructs/bundling.ts`): the document client and the commands the webhook path sends (Put,
 * Get, Update, Delete, TransactWrite), over one signed JSON request each. Items are marshalled by the SDK's own
 * `@aws-sdk/util-dynamodb` at the key paths lib-dynamodb 3.1169.0 converts (`dist-es/commands/*Command.js`), so an
 * item is stored exactly as the SDK stores it; errors have the SDK's names and members (a failed condition's
 * `Item` in AttributeValue form, a cancelled transaction's `CancellationReasons`). Every other function keeps the SDK.
 */

/** Where lib-dynamodb converts: a map of attribute values, or the named members below. */
type KeyNodes = 'values' | { readonly [member: string]: KeyNodes };

const itemWrite = { Key: 'values', ExpressionAttributeValues: 'values' } as const;
const changedItem = { Attributes: 'values' } as const;

/** Parameters lib-dynamodb also converts that this client does not carry (the legacy conditional parameters). */
const legacyParameters = ['Expected', 'AttributeUpdates', 'KeyConditions', 'QueryFilter', 'ScanFilter'];

/** One of the webhook path's commands: its DynamoDB operation and where its input and output hold items. */
abstract class DocumentCommand<Input extends object> {
  abstract readonly operation: string;
  abstract readonly inputNodes: KeyNodes;
  abstract readonly outputNodes: KeyNodes;
  constructor(readonly input: Input) {}
}

// The inputs are the SDK's own types, so the repository's code type-checks against either implementation.
type Lib = typeof import('@aws-sdk/lib-dynamodb');
type InputOf<C extends keyof Lib> = Lib[C] extends new (input: infer I) => unknown ? I : never;

export class PutCommand extends DocumentCommand<InputOf<'PutCommand'>> {
  readonly operation = 'PutItem';
  readonly inputNodes = { Item: 'values', ExpressionAttributeValues: 'values' } as const;
  readonly outputNodes = changedItem;
}

export class GetCommand extends DocumentCommand<InputOf<'GetCommand'>> {
  readonly operation = 'GetItem';
  readonly inputNodes = { Key: 'values' } as const;
  readonly outputNodes = { Item: 'values' } as const;
}

export class UpdateCommand extends DocumentCommand<InputOf<'UpdateCommand'>> {
  readonly operation = 'UpdateItem';
  readonly inputNodes = itemWrite;
  readonly outputNodes = changedItem;
}

export class DeleteCommand extends DocumentCommand<InputOf<'DeleteCommand'>> {
  readonly operation = 'DeleteItem';
  readonly inputNodes = itemWrite;
  readonly outputNodes = changedItem;
}

export class TransactWriteCommand extends DocumentCommand<InputOf<'TransactWriteCommand'>> {
  readonly operation = 'TransactWriteItems';
  readonly inputNodes = {
    TransactItems: {
      '*': {
        ConditionCheck: itemWrite,
        Put: { Item: 'values', ExpressionAttributeValues: 'values' },
        Delete: itemWrite,
        Update: itemWrite,
      },
    },
  } as const;
  readonly outputNodes = {} as const;
}

export const QueryCommand = refusedCommand('QueryCommand');
export const ScanCommand = refusedCommand('ScanCommand');
export const BatchGetCommand = refusedCommand('BatchGetCommand');
export const BatchWriteCommand = refusedCommand('BatchWriteCommand');

/** DynamoDB's JSON carries binaries as base64; util-dynamodb speaks Uint8Array, as the SDK's deserializer does. */
const toWire = (value: AttributeValue): unknown => {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item).toString('base64')) };
  if (value.M !== undefined)
    return { M: Object.fromEntries(Object.entries(value.M).map(([key, item]) => [key, toWire(item)])) };
  if (value.L !== undefined) return { L: value.L.map(toWire) };
  return value;
};
const fromWire = (value: Record<string, unknown>): AttributeValue => {
  if (typeof value.B === 'string') return { B: new Uint8Array(Buffer.from(value.B, 'base64')) };
  if (Array.isArray(value.BS))
    return { BS: value.BS.map((item) => new Uint8Array(Buffer.from(String(item), 'base64'))) };
  if (value.M && typeof value.M === 'object')
    return {
      M: Object.fromEntries(
        Object.entries(value.M as Record<string, Record<string, unknown>>).map(([k, v]) => [k, fromWire(v)]),
      ),
    };
  if (Array.isArray(value.L)) return { L: value.L.map(fromWire) };
  return value as unknown as AttributeValue;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** lib-dynamodb's walk (`commands/utils.js`): convert every value of a map, or the named members, `*` = each. */
const walk = (value: unknown, nodes: KeyNodes, convert: (value: unknown) => unknown): unknown => {
  if (value === undefined) return undefined;
  if (nodes === 'values') {
    if (Array.isArray(value)) return value.filter((item) => typeof item !== 'function').map(convert);
    if (!isObject(value)) return value;
    const converted: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      if (item !== undefined && typeof item !== 'function') converted[key] = convert(item);
    return converted;
  }
  const each = nodes['*'];
  if (each !== undefined) {
    if (Array.isArray(value)) return value.map((item) => walk(item, each, convert));
    if (!isObject(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, each, convert)]));
  }
  if (!isObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item !== 'function') result[key] = item;
  for (const [key, member] of Object.entries(nodes)) {
    const converted = walk(value[key], member, convert);
    if (converted !== undefined) result[key] = converted;
  }
  return result;
};

/** The error members that hold items stay AttributeValue maps, as in the SDK; only their binaries are decoded. */
const decodeErrorItems = (error: unknown) => {
  if (!isObject(error)) return error;
  if (isObject(error.Item))
    error.Item = walk(error.Item, 'values', (v) => fromWire(v as Record<string, unknown>));
  if (Array.isArray(error.CancellationReasons))
    for (const reason of error.CancellationReasons as Array<Record<string, unknown>>)
      if (isObject(reason.Item))
        reason.Item = walk(reason.Item, 'values', (v) => fromWire(v as Record<string, unknown>));
  return error;
};

const regionalEndpoint = (region: string) =>
  `https://dynamodb.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;

export class DynamoDBClient {
  readonly transport: AwsJsonClient;
  readonly config: AwsJsonClient['config'];
  constructor(config: AwsJsonClientConfig = {}) {
    this.transport = createAwsJsonClient(config, {
      service: 'dynamodb',
      targetPrefix: 'DynamoDB_20120810',
      contentType: 'application/x-amz-json-1.0',
      defaultEndpoint: regionalEndpoint,
      retryableErrors: new Set(['ReplicatedWriteConflictException']),
    });
    this.config = this.transport.config;
  }
  async send(command: { constructor: { name: string } }): Promise<never> {
    throw new UnsupportedCommandError(
      `${command.constructor.name} is not carried by the webhook bundle; send document commands`,
    );
  }
  destroy() {}
}

export interface TranslateConfig {
  marshallOptions?: marshallOptions;
  unmarshallOptions?: unmarshallOptions;
}

export class DynamoDBDocumentClient {
  readonly config: DynamoDBClient['config'] & { translateConfig?: TranslateConfig };
  private readonly marshallOptions: marshallOptions;
  private readonly unmarshallOptions: unmarshallOptions;

  private constructor(
    private readonly client: DynamoDBClient,
    translateConfig: TranslateConfig = {},
  ) {
    this.config = { ...client.config, translateConfig };
    // lib-dynamodb's defaults (`baseCommand/DynamoDBDocumentClientCommand.js`): each value converted on its own.
    this.marshallOptions = {
      ...translateConfig.marshallOptions,
      convertTopLevelContainer: translateConfig.marshallOptions?.convertTopLevelContainer ?? true,
    };
    this.unmarshallOptions = {
      ...translateConfig.unmarshallOptions,
      convertWithoutMapWrapper: translateConfig.unmarshallOptions?.convertWithoutMapWrapper ?? true,
    };
  }

  static from(client: DynamoDBClient, translateConfig?: TranslateConfig) {
    return new DynamoDBDocumentClient(client, translateConfig);
  }

  // biome-ignore lint/suspicious/noExplicitAny: the SDK's `send` is typed per command; callers read its output members
  async send(command: DocumentCommand<object> | { refused: string }): Promise<any> {
    if (!(command instanceof DocumentCommand))
      throw new UnsupportedCommandError(`${command.refused} is not carried by the webhook bundle`);
    const input = command.input as Record<string, unknown>;
    const legacy = legacyParameters.filter((name) => input[name] !== undefined);
    if (legacy.length > 0)
      throw new UnsupportedCommandError(`${legacy.join(', ')} is not carried by the webhook bundle`);
    const wire = walk(input, command.inputNodes, (value) =>
      toWire(marshall(value, this.marshallOptions) as AttributeValue),
    ) as Record<string, unknown>;
    let output: Record<string, unknown>;
    try {
      output = await this.client.transport.call(command.operation, wire);
    } catch (error) {
      throw decodeErrorItems(error);
    }
    return walk(output, command.outputNodes, (value) =>
      // convertWithoutMapWrapper: `value` is one attribute value, not a map of them
      unmarshall(
        fromWire(value as Record<string, unknown>) as unknown as Record<string, AttributeValue>,
        this.unmarshallOptions,
      ),
    );
  }

  destroy() {}
}
