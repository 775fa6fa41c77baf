import type { DaemonHealth } from '../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../base-command.js';
import { OUTPUT_FLAGS, checkOutput } from '../output-flag.js';

/** The text `health` prints (state-and-config §3.8). */
export function formatHealth(h: DaemonHealth): string {
  const lines = [`Status:     ${h.status}`];
  if (h.version) lines.push(`Version:    ${h.version}`);
  lines.push(`Uptime:     ${h.uptime}`, `Started:    ${h.started_at}`, `Instances:  ${h.instances} (${h.running} running)`);
  if (h.running_healthy + h.running_unhealthy > 0) lines.push(`Workloads:  ${h.running_healthy} healthy, ${h.running_unhealthy} unhealthy`);
  return lines.join('\n');
}

/** `dockersnap health`: the daemon's health summary. */
export default class HealthCommand extends BaseCommand {
  static override summary = "Show the daemon's health";
  static override flags = OUTPUT_FLAGS;
  static override enableJsonFlag = true;
  static override group = 'Admin' as const;
  static override errorPrefix = 'health check failed';

  async run(): Promise<DaemonHealth> {
    const { flags } = await this.parse(HealthCommand);
    checkOutput(flags.output);
    const health = await this.client(flags).health();
    this.log(formatHealth(health));
    return health;
  }
}
