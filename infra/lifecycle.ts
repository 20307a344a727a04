// Reads teamsapp.yml / teamsapp.local.yml the way Teams Toolkit runs them, so tests can
// check that every ${{NAME}} a step reads exists by the time the step runs. A name the
// toolkit cannot resolve is left in place and only fails later, in Azure or in Teams.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = join(__dirname, '..');

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Names of the `${{NAME}}` placeholders in a text. */
export function placeholders(text: string): Set<string> {
  return new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!));
}

/** Replaces every placeholder; throws on a name without a value so nothing slips through. */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No test value for placeholder \${{${name}}}`);
    return value;
  });
}

/** Paths are relative to the repository root, where the toolkit resolves them too. */
export function readText(relativePath: string): string {
  return readFileSync(resolve(ROOT, relativePath), 'utf8');
}

/** KEY=value lines of a dotenv file; an empty value still counts as declared. */
export function readEnvFile(relativePath: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of readText(relativePath).split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (m) vars.set(m[1]!, m[2]!.trim());
  }
  return vars;
}

/** `output NAME type = ...` lines; arm/deploy writes each one upper-cased to the env file. */
export function bicepOutputs(bicep: string): string[] {
  return [...bicep.matchAll(/^output\s+([A-Za-z_][A-Za-z0-9_]*)\s+\S+\s*=/gm)].map((m) => m[1]!);
}

export interface BicepParam {
  name: string;
  hasDefault: boolean;
  secure: boolean;
}

export function bicepParams(bicep: string): BicepParam[] {
  const lines = bicep.split(/\r?\n/);
  const params: BicepParam[] = [];
  lines.forEach((line, index) => {
    const m = /^param\s+([A-Za-z_][A-Za-z0-9_]*)\s+[^=]+?(\s*=.*)?$/.exec(line);
    if (!m) return;
    // Decorators sit directly above the param; multi-line ones continue with indented lines or `])`.
    const decorators: string[] = [];
    for (let i = index - 1; i >= 0 && /^(@|\s+\S|[\])])/.test(lines[i]!); i--) decorators.push(lines[i]!);
    params.push({ name: m[1]!, hasDefault: m[2] !== undefined, secure: decorators.some((d) => /^@secure\(\)/.test(d)) });
  });
  return params;
}

export const LIFECYCLES = ['provision', 'deploy', 'publish'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

export interface Step {
  lifecycle: Lifecycle;
  index: number;
  uses: string;
  with: Record<string, unknown>;
  writeToEnvironmentFile: Record<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function loadSteps(ymlFile: string): Step[] {
  const doc: unknown = parse(readText(ymlFile));
  if (!isRecord(doc)) throw new Error(`${ymlFile} is not a YAML mapping`);
  const steps: Step[] = [];
  for (const lifecycle of LIFECYCLES) {
    const list = doc[lifecycle];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new Error(`${ymlFile}: ${lifecycle} must be a list of steps`);
    list.forEach((raw: unknown, index) => {
      if (!isRecord(raw) || typeof raw.uses !== 'string') throw new Error(`${ymlFile}: ${lifecycle} step ${index + 1} has no "uses"`);
      const write = raw.writeToEnvironmentFile ?? {};
      if (!isRecord(write) || Object.values(write).some((v) => typeof v !== 'string')) {
        throw new Error(`${ymlFile}: ${lifecycle} step ${index + 1} has an invalid writeToEnvironmentFile`);
      }
      steps.push({
        lifecycle,
        index: index + 1,
        uses: raw.uses,
        with: isRecord(raw.with) ? raw.with : {},
        writeToEnvironmentFile: write as Record<string, string>,
      });
    });
  }
  return steps;
}

export function describeStep(ymlFile: string, step: Step): string {
  return `${ymlFile} ${step.lifecycle} step ${step.index} (${step.uses})`;
}

function stringArg(step: Step, key: string): string | undefined {
  const value = step.with[key];
  return typeof value === 'string' ? value : undefined;
}

/** Files whose placeholders the step expands: the Teams and Entra manifests, ARM parameters. */
export function filesReadBy(step: Step): string[] {
  switch (step.uses) {
    case 'teamsApp/validateManifest':
    case 'teamsApp/zipAppPackage':
    case 'aadApp/update': {
      const path = stringArg(step, 'manifestPath');
      return path ? [path] : [];
    }
    case 'arm/deploy':
      return armTemplates(step).flatMap((t) => (t.parameters ? [t.parameters] : []));
    default:
      return [];
  }
}

export function armTemplates(step: Step): { path: string; parameters?: string }[] {
  const templates = step.with.templates;
  if (!Array.isArray(templates)) return [];
  return templates.filter(isRecord).map((t) => ({
    path: String(t.path),
    ...(typeof t.parameters === 'string' ? { parameters: t.parameters } : {}),
  }));
}

export function namesReadBy(step: Step): Set<string> {
  const names = placeholders(JSON.stringify(step.with));
  for (const file of filesReadBy(step)) {
    if (existsSync(resolve(ROOT, file))) for (const name of placeholders(readText(file))) names.add(name);
  }
  return names;
}

/** Names a step writes to the environment, whatever the outcome of later steps. */
export function namesWrittenBy(step: Step): Set<string> {
  const names = new Set(Object.values(step.writeToEnvironmentFile));
  if (step.uses === 'arm/deploy') {
    for (const template of armTemplates(step)) {
      if (!existsSync(resolve(ROOT, template.path))) continue;
      for (const output of bicepOutputs(readText(template.path))) names.add(output.toUpperCase());
    }
  }
  if (step.uses === 'aadApp/update') {
    // Generated by the action itself when the Entra manifest uses it and it is still empty.
    names.add('AAD_APP_ACCESS_AS_USER_PERMISSION_ID');
  }
  if (step.uses === 'script') {
    for (const m of JSON.stringify(step.with).matchAll(/::set-teamsfx-env\s+([A-Za-z_][A-Za-z0-9_]*)=/g)) names.add(m[1]!);
  }
  return names;
}

/**
 * Runs the lifecycles in order (provision, deploy, publish) and reports every name a step
 * reads that neither the env file declares nor an earlier step wrote.
 */
export function unresolvedReads(ymlFile: string, envFile: string): string[] {
  const known = new Set(readEnvFile(envFile).keys());
  const problems: string[] = [];
  for (const step of loadSteps(ymlFile)) {
    const written = namesWrittenBy(step);
    // aadApp/update generates its permission id before it expands its own manifest.
    if (step.uses === 'aadApp/update') for (const name of written) known.add(name);
    for (const name of namesReadBy(step)) {
      if (!known.has(name)) {
        problems.push(`${describeStep(ymlFile, step)} reads \${{${name}}}, but no earlier step writes it and ${envFile} does not declare it`);
      }
    }
    for (const name of written) known.add(name);
  }
  return problems;
}

/** Every name the yml can provide at some point, plus what the env file declares. */
export function providedNames(ymlFile: string, envFile: string): Set<string> {
  const names = new Set(readEnvFile(envFile).keys());
  for (const step of loadSteps(ymlFile)) for (const name of namesWrittenBy(step)) names.add(name);
  return names;
}
