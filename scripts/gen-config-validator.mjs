#!/usr/bin/env node
// Regenerates kernel/config/core-validator.generated.ts from kernel/config/schema.ts.
// Run after changing the schema:  node --import tsx scripts/gen-config-validator.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { generateCoreValidatorSource } = await import('../kernel/config/generate-validator.ts');
const target = join(root, 'kernel/config/core-validator.generated.ts');
writeFileSync(target, generateCoreValidatorSource());
console.log(`wrote ${target}`);
