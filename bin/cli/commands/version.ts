import { errorMessage, isDsError } from '../../../kernel/errors.js';
import { BaseCommand } from '../base-command.js';
import { OUTPUT_FLAGS, checkOutput } from '../output-flag.js';
import { buildVersion } from '../build-version.js';

/** What `version --json` prints. */
export interface VersionReport {
  cli: string;
  remote: string;
  daemon?: string;
  error?: string;
}

/** `dockersnap version`: CLI and daemon build versions (state-and-config §3.8). Always exits 0. */
export default class VersionCommand extends BaseCommand {
  static override summary = 'Print the CLI and daemon versions';
  static override flags = OUTPUT_FLAGS;
  static override enableJsonFlag = true;
  static override group = 'Admin' as const;

  async run(): Promise<VersionReport> {
    const { flags } = await this.parse(VersionCommand);
    checkOutput(flags.output);
    const cli = buildVersion(this.config.version);
    const client = this.client(flags, 2000);
    this.log(`CLI:    ${cli}`);
    try {
      const daemon = (await client.health()).version ?? '';
      if (daemon === '') this.log(`Daemon: (pre-version daemon) (${client.remote})`);
      else this.log(`Daemon: ${daemon} (${client.remote})`);
      if (daemon !== '' && daemon !== cli) this.log('        ↑ CLI and daemon versions differ');
      return { cli, remote: client.remote, daemon };
    } catch (err) {
      const reason = isDsError(err) && typeof err.details['reason'] === 'string' ? err.details['reason'] : errorMessage(err);
      this.log(`Daemon: unreachable at ${client.remote} (${reason})`);
      return { cli, remote: client.remote, error: errorMessage(err) };
    }
  }
}
