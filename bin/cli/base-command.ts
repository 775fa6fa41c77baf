import { Command } from '@oclif/core/command';
import { createClient, type DockersnapClient } from '../../plugin-sdk/client/index.js';
import { exitCodeOf, toCliError, withPrefix } from './errors.js';
import { GLOBAL_FLAGS, type GlobalFlagValues } from './global-flags.js';
import type { Group } from './groups.js';

/**
 * Base of every client command: the global `--remote`/`--token` flags, a typed client, and
 * errors turned into DsErrors carrying the command's prefix (rendered once by `main`).
 */
export abstract class BaseCommand extends Command {
  /** Root-help group. */
  static group: Group = 'Admin';
  /** Prefix of error messages (`plugin list: …`). */
  static errorPrefix = '';
  static override baseFlags = GLOBAL_FLAGS;

  /** A client for the daemon named by the global flags (or their env defaults). */
  protected client(flags: GlobalFlagValues, timeoutMs?: number): DockersnapClient {
    return createClient({
      ...(flags.remote === undefined ? {} : { remote: flags.remote }),
      ...(flags.token === undefined ? {} : { token: flags.token }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  }

  /** Converts, prefixes and rethrows; with `--json` the envelope also goes to stdout. */
  override async catch(err: Error & { exitCode?: number }): Promise<never> {
    if (exitCodeOf(err) !== undefined) throw err;
    const e = withPrefix(toCliError(err), (this.constructor as typeof BaseCommand).errorPrefix);
    if (this.jsonEnabled()) this.logJson(e.toJSON());
    throw e;
  }
}
