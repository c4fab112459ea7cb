import type { ShopContext, ShopDirectory } from '../../domain/ports.js';

/**
 * What `doctor` reads besides the shop's own ports. Every probe only reads: no job is run, no subscription is
 * created, no message is posted (the tests hold the simulators' call logs to that).
 */

/** How one check came out. `config`, `unreachable` and `attention` decide the exit code; `skipped` does not. */
export type CheckStatus = 'ok' | 'attention' | 'config' | 'unreachable' | 'skipped';

export interface DoctorCheck {
  /** stable, for machines: `hotwax.credentials`, `shopify.subscription.orders/create`, `slack.channel` … */
  id: string;
  /** what was checked, for people: "HotWax credentials" */
  label: string;
  /** the shop it concerns; absent for the deployment's own checks (configuration, Slack, this machine) */
  shop?: string;
  status: CheckStatus;
  /** one line: what was found and, when it is not ok, what is wrong and how to fix it */
  detail: string;
}

/** Where HotWax is and which of its two shapes it has (discovery). */
export interface HotwaxTenant {
  backend: 'ofbiz' | 'maarg';
  /** the API the monitor talks to, e.g. `https://acme.hotwax.io/api` */
  apiUrl: string;
  /** how it was found out, in words */
  how: string;
}

export interface HotwaxProbe {
  /** HOTWAX_PRODUCT_STORE_ID, for people */
  readonly productStoreId: string;
  /** Finds the backend (or takes HOTWAX_BACKEND); throws when HotWax cannot be reached or answers neither way. */
  discover(): Promise<HotwaxTenant>;
  /** Proves the credentials with a login (or, for an API token, an authenticated read); says what was accepted. */
  authenticate(): Promise<string>;
  /** The import configs failed records are read from: OFBiz its MDM config, Maarg its Data Manager configs. */
  importConfigs(): Promise<Array<{ configId: string; found: boolean }>>;
}

/** What Shopify says about the app's installation; no shop data. */
export interface ShopifyInstallation {
  accessScopes: string[];
  apiVersions: Array<{ handle: string; supported: boolean }>;
  /** the version Shopify answered with; another than requested means the requested one is unsupported */
  servedVersion: string | undefined;
}

export interface ShopifyProbe {
  /** SHOPIFY_API_VERSION */
  readonly apiVersion: string;
  installation(): Promise<ShopifyInstallation>;
}

/** The shop's ports (its ShopContext) and the probes doctor adds for it. */
export interface DoctorProbes {
  hotwax: HotwaxProbe;
  shopify: ShopifyProbe;
  /** WEBHOOK_CALLBACK_URL: where the orders/create and orders/fulfilled subscriptions must deliver */
  webhookCallbackUrl: string | undefined;
}

export type SlackProbe =
  | { kind: 'console' }
  | { kind: 'webhook'; url: string }
  | {
      kind: 'web-api';
      channel: string;
      /** `auth.test`: who the token is; `scopes` from Slack's `x-oauth-scopes`, when Slack sent them */
      authTest(): Promise<{ team?: string; user?: string; scopes?: string[] }>;
      /** `conversations.info`: whether the bot is in the channel */
      channelInfo(): Promise<{ name?: string; isMember: boolean; isPrivate: boolean; isArchived: boolean }>;
    };

/** This machine, for a local run (the CLI); the doctor function in AWS has none. */
export interface LocalProbe {
  port: number;
  /** absolute LOCAL_DATA_DIR */
  dataDir: string;
  /** the URL of the `npm start` running here (from its endpoints.json), if one runs */
  runningMonitorUrl?: string;
  /** Java's major version, undefined when `java` is not found */
  javaMajorVersion(): Promise<number | undefined>;
  isPortFree(port: number): Promise<boolean>;
  /** undefined when the data directory can be created and written, else why not */
  dataDirProblem(dataDir: string): Promise<string | undefined>;
}

/** How an error of a probe or port reads, in the adapters' own words; the wiring knows their error classes. */
export type ExplainFailure = (error: unknown) => { status: Exclude<CheckStatus, 'ok'>; detail: string };

export interface DoctorDeps {
  /** every problem of the configuration at once; empty when it parses */
  configurationProblems: readonly string[];
  /** where the configuration came from, for people: ".env and the environment", "the running sandbox" */
  configurationSource: string;
  /** the shops of the deployment; empty when the configuration does not parse */
  shops: ShopDirectory;
  probesFor(shop: ShopContext): DoctorProbes;
  /** absent when the configuration does not parse */
  slack?: SlackProbe;
  local?: LocalProbe;
  explain: ExplainFailure;
}
