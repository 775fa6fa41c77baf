import * as Flags from '@oclif/core/flags';

/**
 * The persistent flags of every client command (state-and-config §3.1). Defaults come from
 * the environment; the client falls back to `http://127.0.0.1:9847` and no token.
 */
export const GLOBAL_FLAGS = {
  remote: Flags.string({ char: 'r', env: 'DOCKERSNAP_REMOTE', helpGroup: 'GLOBAL', helpValue: '<url>', summary: 'API base URL (default http://127.0.0.1:9847).' }),
  token: Flags.string({ char: 't', env: 'DOCKERSNAP_TOKEN', helpGroup: 'GLOBAL', helpValue: '<token>', summary: 'Bearer token for the API (sent only when non-empty).' }),
};

/** The values of the global flags after parsing. */
export interface GlobalFlagValues {
  remote?: string | undefined;
  token?: string | undefined;
}
