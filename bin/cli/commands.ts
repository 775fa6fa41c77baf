import HealthCommand from './commands/health.js';
import HelpCommand from './commands/help.js';
import PluginDescribeCommand from './commands/plugin/describe.js';
import PluginListCommand from './commands/plugin/list.js';
import PluginReloadCommand from './commands/plugin/reload.js';
import ServeCommand from './commands/serve.js';
import VersionCommand from './commands/version.js';

/**
 * The core command map (oclif `explicit` strategy, package.json `oclif.commands`). Commands
 * plugins contribute are added at start-up by `main` from their manifests; a core command
 * wins a name clash.
 */
export const COMMANDS = {
  health: HealthCommand,
  help: HelpCommand,
  'plugin:describe': PluginDescribeCommand,
  'plugin:list': PluginListCommand,
  'plugin:reload': PluginReloadCommand,
  serve: ServeCommand,
  version: VersionCommand,
};
