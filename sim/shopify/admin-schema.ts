import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/**
 * Shopify's Admin GraphQL schema as Shopify publishes it: the introspection JSON per API version that the npm
 * package `@shopify/dev-mcp` ships (`dist/data/admin_<version>.json.gz`, listed in `supported-versions-schema.json`).
 * Used by the simulator (at runtime in the sandbox, so no test-runner imports) and by the schema tests.
 */

/** Protected customer data a field belongs to, as the introspection's `protectedContent` names it. */
export type ProtectedContent = 'name' | 'email' | 'phone' | 'address' | (string & {});

export interface AccessRequirement {
  /** Shopify's words, e.g. "`read_orders` access scope, `read_marketplace_orders` access scope or …" */
  requiredAccess: string;
  /** any one of these grants access (Shopify's `offlineScopes`) */
  scopes: readonly string[];
}

export interface AdminSchema {
  version: string;
  schema: GraphQLSchema;
  /** the scope a type needs wherever it is returned (e.g. Customer → read_customers) */
  typeAccess(typeName: string): AccessRequirement | undefined;
  /** the scope one field needs itself */
  fieldAccess(typeName: string, fieldName: string): AccessRequirement | undefined;
  /** the protected customer data a field returns (e.g. Order.phone → phone) */
  protectedContent(typeName: string, fieldName: string): ProtectedContent | undefined;
}

export interface AdminVersionInfo {
  name: string;
  latestVersion?: boolean;
  releaseCandidate?: boolean;
}

interface RawField {
  name: string;
  isProtected?: boolean | null;
  protectedContent?: string | null;
}
interface RawType {
  name: string;
  fields?: RawField[] | null;
}
interface RawIntrospection {
  data: IntrospectionQuery & { __schema: { types: RawType[] } };
  offline_scopes?: {
    items: Array<{
      type: 'type' | 'field';
      typeName: string;
      fieldName?: string;
      requiredAccess: string;
      offlineScopes: string[];
    }>;
  };
}

/** The package's directory, looked up from here upwards so the loader works wherever this module lives. */
const packageDir = (name: string): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed: run npm install`);
  }
};

const dataDir = () => join(packageDir('@shopify/dev-mcp'), 'dist', 'data');

let versions: AdminVersionInfo[] | undefined;

/** The Admin API versions the package carries, newest first, as its supported-versions file lists them. */
export const adminVersions = (): readonly AdminVersionInfo[] => {
  versions ??= (
    JSON.parse(readFileSync(join(dataDir(), 'supported-versions-schema.json'), 'utf8')) as {
      admin: AdminVersionInfo[];
    }
  ).admin.filter((version) => existsSync(join(dataDir(), `admin_${version.name}.json.gz`)));
  return versions;
};

/** The version the package marks `latestVersion`: Shopify's latest stable release. */
export const latestStableAdminVersion = (): string => {
  const latest = adminVersions().find((version) => version.latestVersion);
  if (!latest) throw new Error('@shopify/dev-mcp names no latest Admin API version');
  return latest.name;
};

export const isKnownAdminVersion = (version: string): boolean =>
  adminVersions().some((known) => known.name === version);

const cache = new Map<string, AdminSchema>();

/** Loads (once per process and version) the schema of an Admin API version, e.g. `2026-10`. */
export const loadAdminSchema = (version: string): AdminSchema => {
  const cached = cache.get(version);
  if (cached) return cached;
  if (!isKnownAdminVersion(version)) {
    throw new Error(
      `@shopify/dev-mcp carries no Admin schema for ${version} (it has ${adminVersions()
        .map((known) => known.name)
        .join(', ')})`,
    );
  }
  const raw = JSON.parse(
    gunzipSync(readFileSync(join(dataDir(), `admin_${version}.json.gz`))).toString('utf8'),
  ) as RawIntrospection;
  const schema = buildClientSchema(raw.data, { assumeValid: true });

  const typeRequirements = new Map<string, AccessRequirement>();
  const fieldRequirements = new Map<string, AccessRequirement>();
  for (const item of raw.offline_scopes?.items ?? []) {
    if (item.offlineScopes.length === 0) continue;
    const requirement = { requiredAccess: item.requiredAccess, scopes: item.offlineScopes };
    if (item.type === 'type') typeRequirements.set(item.typeName, requirement);
    else if (item.fieldName) fieldRequirements.set(`${item.typeName}.${item.fieldName}`, requirement);
  }
  const protectedFields = new Map<string, ProtectedContent>();
  for (const type of raw.data.__schema.types) {
    for (const field of type.fields ?? []) {
      if (field.isProtected && field.protectedContent) {
        protectedFields.set(`${type.name}.${field.name}`, field.protectedContent);
      }
    }
  }

  const loaded: AdminSchema = {
    version,
    schema,
    typeAccess: (typeName) => typeRequirements.get(typeName),
    fieldAccess: (typeName, fieldName) => fieldRequirements.get(`${typeName}.${fieldName}`),
    protectedContent: (typeName, fieldName) => protectedFields.get(`${typeName}.${fieldName}`),
  };
  cache.set(version, loaded);
  return loaded;
};
