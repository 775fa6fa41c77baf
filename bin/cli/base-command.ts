import { Command } from '@oclif/core/command';
import { createClient, type ClientOperation, type DockersnapClient } from '../../plugin-sdk/client/index.js';
import { exitCodeOf, toCliError, withPrefix } from './errors.js';
import { GLOBAL_FLAGS, type GlobalFlagValues } from './global-flags.js';
import type { Group } from './groups.js';
import { outputOf } from './output-flag.js';
import { followProgress } from './progress.js';

/**
 * Base of every client command: the global `--remote`/`--token` flags, a typed client, live
 * progress for mutators, `-o json` as a synonym of `--json`, and errors turned into DsErrors
 * carrying the command's prefix (rendered once by `main`).
 */
export abstract class BaseCommand extends Command {
  /** Root-help group. */
  static group: Group = 'Admin';
  /** Prefix of error messages (`plugin list: …`). */
  static errorPrefix = '';
  static override baseFlags = GLOBAL_FLAGS;

  /**
   * A client for the daemon named by the global flags (or their env defaults). The CLI records
   * no snapshot owner: its processes are short-lived, so an owner would only lock people out.
   */
  protected client(flags: GlobalFlagValues, timeoutMs?: number): DockersnapClient {
    return createClient({
      owner: '',
      ...(flags.remote === undefined ? {} : { remote: flags.remote }),
      ...(flags.token === undefined ? {} : { token: flags.token }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  }

  /** Prints the operation's progress (unless output is JSON) and resolves to its result. */
  protected follow<R>(op: ClientOperation<R>): Promise<R> {
    if (this.jsonEnabled()) return op.result;
    return followProgress(op);
  }

  /** `--json`, or `-o json` on a command that has `--json`. */
  override jsonEnabled(): boolean {
    if (super.jsonEnabled()) return true;
    return (this.constructor as typeof BaseCommand).enableJsonFlag === true && outputOf(this.argv) === 'json';
  }

  /** Converts, prefixes and rethrows; with `--json` the envelope also goes to stdout. */
  override async catch(err: Error & { exitCode?: number }): Promise<never> {
    if (exitCodeOf(err) !== undefined) throw err;
    const e = withPrefix(toCliError(err), (this.constructor as typeof BaseCommand).errorPrefix);
    if (this.jsonEnabled()) this.logJson(e.toJSON());
    throw e;
  }
}
