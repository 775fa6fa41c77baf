#!/usr/bin/env node
// Writes oclif.manifest.json (the core commands' metadata) so `dockersnap --help` and command
// lookup do not import every command module at start-up. Run after tsc (build.mjs does).
// Plugin-contributed commands are not in it: the CLI adds them from plugin manifests at run time.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core/config';
import { settings } from '@oclif/core/settings';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
settings.enableAutoTranspile = false;
const core = new Plugin({ root, isRoot: true, ignoreManifest: true, errorOnManifestCreate: true });
await core.load();
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(core.manifest, null, 2)}\n`);
console.log(`oclif.manifest.json: ${Object.keys(core.manifest.commands).length} commands`);
