import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { loadDaemon } from '../daemon-loader.js';

/**
 * `dockersnap serve`: runs the daemon. The server, kernel and their dependencies (fastify,
 * pino, ajv …) are imported here, on demand, so client commands never load them.
 */
export default class ServeCommand extends Command {
  static override summary = 'Run the dockersnap daemon (REST API v1)';
  static override description = 'Loads the config, boots the plugins, and serves the API on api.listen until SIGINT or SIGTERM.';
  static group = 'Admin';
  static override flags = {
    config: Flags.string({ helpValue: '<path>', summary: 'Config file (default $DOCKERSNAP_CONFIG, else /etc/dockersnap/config.yaml; a missing default file means built-in defaults).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServeCommand);
    const { runDaemon } = await loadDaemon();
    await runDaemon({ configPath: flags.config });
  }
}
