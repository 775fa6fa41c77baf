import { spawn } from 'node:child_process';
import * as Args from '@oclif/core/args';
import { DsError } from '../../../kernel/errors.js';
import { BaseCommand } from '../base-command.js';

/** How a finished child ends the CLI: its exit code, or 128 + the signal number. */
export function childExitCode(code: number | null, signal: NodeJS.Signals | null, signals: Readonly<Record<string, number>>): number {
  if (code !== null) return code;
  return 128 + (signal ? (signals[signal] ?? 0) : 0);
}

/**
 * `dockersnap docker <name> [--] <docker args…>`: runs the docker CLI against the instance's
 * socket (`docker -H unix://<socket> …`) with the terminal and environment, and exits with
 * docker's exit code. Flags after the instance name are docker's (main inserts the `--`). The
 * socket is a path on the daemon host: useful where the CLI runs on that host.
 */
export default class DockerCommand extends BaseCommand {
  static override summary = "Run the docker CLI against an instance's dockerd";
  static override description = 'Everything after the instance name (or after --) is passed to docker unchanged. Global flags go before the instance name.';
  static override strict = false;
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override group = 'Access' as const;
  static override errorPrefix = 'getting instance';

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(DockerCommand);
    const dockerArgs = (argv as string[]).slice(1);
    const instance = await this.client(flags).get(args['instance-name']);
    const { constants } = await import('node:os');
    process.exitCode = await runDocker(['-H', `unix://${instance.socket}`, ...dockerArgs], constants.signals);
  }
}

/** Runs docker with inherited stdio; the CLI ignores SIGINT/SIGTERM meanwhile (docker gets them). */
function runDocker(args: string[], signals: Readonly<Record<string, number>>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    const done = () => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
    };
    const child = spawn('docker', args, { stdio: 'inherit' });
    child.on('error', (err: NodeJS.ErrnoException) => {
      done();
      reject(new DsError('DS_ERR_HOST_TOOL', err.code === 'ENOENT' ? `docker not found in PATH: ${err.message}` : `running docker: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      done();
      resolve(childExitCode(code, signal, signals));
    });
  });
}
