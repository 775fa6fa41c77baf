import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { configSchema } from './schema.js';

/**
 * Builds the source of `core-validator.generated.ts`: `configSchema` compiled by ajv ahead
 * of time (ajv "standalone" mode). Importing ajv and compiling at boot cost ~100 ms on the
 * reference host, the whole kernel boot budget; the generated module loads in ~3 ms.
 * Never imported at run time — only by `scripts/gen-config-validator.mjs` and the unit test
 * that fails when the checked-in file is stale.
 */

/** The ajv options the core config is validated with (see `validate.ts` for why each). */
export const CORE_AJV_OPTIONS = {
  allErrors: true,
  useDefaults: true,
  coerceTypes: true,
  removeAdditional: true,
  verbose: true,
} as const;

const HEADER = `// GENERATED from kernel/config/schema.ts by scripts/gen-config-validator.mjs — do not edit.
// Regenerate: node --import tsx scripts/gen-config-validator.mjs
/* eslint-disable */
// @ts-nocheck
import { createRequire } from 'node:module';
// ajv's standalone output loads its tiny runtime helpers (ucs2length) with require().
const require = createRequire(import.meta.url);
`;

/** Returns the generated module's full text. Deterministic for a given schema and ajv version. */
export function generateCoreValidatorSource(): string {
  const ajv = new Ajv({ ...CORE_AJV_OPTIONS, code: { source: true, esm: true, lines: true } });
  const validate = ajv.compile(configSchema);
  // A CommonJS module: Node hands us module.exports, which carries itself as `.default`.
  return `${HEADER}${standaloneCode.default(ajv, validate)}\n`;
}
