import AccessCommand from './commands/access.js';
import CloneCommand from './commands/clone.js';
import CompletionCommand from './commands/completion.js';
import CreateCommand from './commands/create.js';
import DeleteCommand from './commands/delete.js';
import DockerCommand from './commands/docker.js';
import HealthCommand from './commands/health.js';
import HelpCommand from './commands/help.js';
import ListCommand from './commands/list.js';
import PluginDescribeCommand from './commands/plugin/describe.js';
import PluginListCommand from './commands/plugin/list.js';
import PluginReloadCommand from './commands/plugin/reload.js';
import PortsCommand from './commands/ports.js';
import RestartCommand from './commands/restart.js';
import RevertCommand from './commands/revert.js';
import ServeCommand from './commands/serve.js';
import SnapshotCommand from './commands/snapshot.js';
import StartCommand from './commands/start.js';
import StatusCommand from './commands/status.js';
import StopCommand from './commands/stop.js';
import UseCommand from './commands/use.js';
import VersionCommand from './commands/version.js';
import WorkloadDescribeCommand from './commands/workload/describe.js';
import WorkloadHealthCommand from './commands/workload/health.js';
import WorkloadSchemaCommand from './commands/workload/schema.js';

/**
 * The core command map (oclif `explicit` strategy, package.json `oclif.commands`), in the
 * original's verbs (state-and-config §3.2). Commands plugins contribute are added at start-up
 * by `main` from their manifests; a core command wins a name clash.
 */
export const COMMANDS = {
  access: AccessCommand,
  clone: CloneCommand,
  completion: CompletionCommand,
  create: CreateCommand,
  delete: DeleteCommand,
  docker: DockerCommand,
  health: HealthCommand,
  help: HelpCommand,
  list: ListCommand,
  'plugin:describe': PluginDescribeCommand,
  'plugin:list': PluginListCommand,
  'plugin:reload': PluginReloadCommand,
  ports: PortsCommand,
  restart: RestartCommand,
  revert: RevertCommand,
  serve: ServeCommand,
  snapshot: SnapshotCommand,
  start: StartCommand,
  status: StatusCommand,
  stop: StopCommand,
  use: UseCommand,
  version: VersionCommand,
  'workload:describe': WorkloadDescribeCommand,
  'workload:health': WorkloadHealthCommand,
  'workload:schema': WorkloadSchemaCommand,
};
