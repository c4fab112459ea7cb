import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rule of the layout: the domain imports only itself, use cases import only the domain (and each
 * other), and no product code imports the tests. Checked on the import statements of every source file.
 */
const repo = resolve(import.meta.dirname, '..', '..');

const sourceFiles = (directory: string): string[] =>
  readdirSync(join(repo, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });

/** Every module a file imports or re-exports, relative ones as repository paths. */
const importsOf = (file: string): string[] => {
  const text = readFileSync(join(repo, file), 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gms)].map(
    (match) => match[1] as string,
  );
  return specifiers.map((specifier) =>
    specifier.startsWith('.') ? relative(repo, resolve(repo, dirname(file), specifier)) : specifier,
  );
};

const violations = (directory: string, allowed: (target: string) => boolean) =>
  sourceFiles(directory).flatMap((file) =>
    importsOf(file)
      .filter((target) => !allowed(target))
      .map((target) => `${file} imports ${target}`),
  );

describe('the layout', () => {
  it('keeps the domain pure: it imports only the domain (and zod)', () => {
    expect(
      violations('shared/domain', (target) => target.startsWith('shared/domain/') || target === 'zod'),
    ).toEqual([]);
  });

  it('lets use cases import only the domain and other use cases', () => {
    expect(
      violations(
        'shared/use-cases',
        (target) =>
          target.startsWith('shared/domain/') ||
          target.startsWith('shared/use-cases/') ||
          target.startsWith('node:'),
      ),
    ).toEqual([]);
  });

  it('lets adapters import the domain, never use cases, functions, local or infra', () => {
    expect(
      violations(
        'shared/adapters',
        (target) => !/^(shared\/use-cases|shared\/wiring|functions|local|infra)\//.test(target),
      ),
    ).toEqual([]);
  });

  it('keeps the tests out of the product code (the sandbox plays on the simulators in sim/)', () => {
    const fromTests = (target: string) => !target.startsWith('test/');
    expect([
      ...violations('shared', fromTests),
      ...violations('functions', fromTests),
      ...violations('infra', fromTests),
      ...violations('local', fromTests),
      ...violations('sim', fromTests),
    ]).toEqual([]);
  });

  it('keeps the simulators out of the deployed code: only local/ (the sandbox) and tests use them', () => {
    const fromSims = (target: string) => !target.startsWith('sim/');
    expect([
      ...violations('shared', fromSims),
      ...violations('functions', fromSims),
      ...violations('infra', fromSims),
    ]).toEqual([]);
  });

  it('finds the imports it checks', () => {
    expect(importsOf('shared/domain/runbook/decide.ts')).toContain('shared/domain/runbook/decision-table.js');
  });
});
