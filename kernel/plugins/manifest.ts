import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DsError, errorMessage } from '../errors.js';
import { PLUGIN_ID_PATTERN } from '../../plugin-sdk/define-plugin.js';

/** `plugin.json`: the static, cheap-to-read part of a plugin (the CLI reads only this). */
export interface PluginManifest {
  id: string;
  version: string;
  description?: string;
  /** Entry module relative to the plugin folder; default `index.js`. */
  main: string;
  /** Plugin API version this plugin was written for; only 1 exists. */
  apiVersion: 1;
  /** CLI subcommands: name (`topic:verb` or `verb`) → module exporting `defineCommand(...)`. */
  commands: Record<string, { summary: string; file: string; description?: string }>;
}

export const MANIFEST_FILE = 'plugin.json';
const COMMAND_NAME = /^[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)*$/;
const SAFE_PATH = /^(?!\/)(?!.*\.\.)[\w./-]+$/;

function fail(file: string, what: string): never {
  throw new DsError('DS_ERR_PLUGIN_MANIFEST', `${file}: ${what}`, { details: { file } });
}

function str(file: string, obj: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v === '') fail(file, `"${key}" must be a non-empty string${v === undefined ? ' (it is missing)' : ''}`);
  return v;
}

/**
 * Validates a parsed manifest. Hand-written rather than ajv so the CLI start path stays
 * free of schema compilation.
 * @throws DsError DS_ERR_PLUGIN_MANIFEST naming the file and the field.
 */
export function validateManifest(raw: unknown, file: string): PluginManifest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, 'must contain a JSON object');
  const obj = raw as Record<string, unknown>;
  const id = str(file, obj, 'id', true)!;
  if (!PLUGIN_ID_PATTERN.test(id)) fail(file, `"id" ${JSON.stringify(id)} must match ${PLUGIN_ID_PATTERN} (lowercase letters, digits, dashes)`);
  const version = str(file, obj, 'version', true)!;
  const description = str(file, obj, 'description', false);
  const main = str(file, obj, 'main', false) ?? 'index.js';
  if (!SAFE_PATH.test(main)) fail(file, `"main" must be a relative path inside the plugin folder, got ${JSON.stringify(main)}`);
  const apiVersion = obj['apiVersion'] ?? 1;
  if (apiVersion !== 1) fail(file, `"apiVersion" ${JSON.stringify(apiVersion)} is not supported by this dockersnap (supported: 1)`);
  const commands: PluginManifest['commands'] = {};
  const rawCommands = obj['commands'] ?? {};
  if (typeof rawCommands !== 'object' || rawCommands === null || Array.isArray(rawCommands)) fail(file, '"commands" must be an object of name → {summary, file}');
  for (const [name, spec] of Object.entries(rawCommands as Record<string, unknown>)) {
    if (!COMMAND_NAME.test(name)) fail(file, `command name ${JSON.stringify(name)} must match ${COMMAND_NAME}`);
    if (typeof spec !== 'object' || spec === null) fail(file, `commands.${name} must be an object with "summary" and "file"`);
    const s = spec as Record<string, unknown>;
    const summary = str(file, s, 'summary', true)!;
    const cmdFile = str(file, s, 'file', true)!;
    if (!SAFE_PATH.test(cmdFile)) fail(file, `commands.${name}.file must be a relative path inside the plugin folder`);
    const desc = str(file, s, 'description', false);
    commands[name] = desc === undefined ? { summary, file: cmdFile } : { summary, file: cmdFile, description: desc };
  }
  return { id, version, ...(description === undefined ? {} : { description }), main, apiVersion: 1, commands };
}

/** Reads and validates `<dir>/plugin.json`. @throws DsError DS_ERR_PLUGIN_MANIFEST */
export async function readManifest(dir: string): Promise<PluginManifest> {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') fail(file, `missing: every plugin folder needs a ${MANIFEST_FILE} with at least "id" and "version"`);
    fail(file, `cannot be read: ${errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    fail(file, `is not valid JSON: ${errorMessage(err)}`);
  }
  return validateManifest(parsed, file);
}
