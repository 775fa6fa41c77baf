import { DEFAULT_IMAGE, type EchoOptions } from './options.js';
import { INSTANCE_LABEL_KEY, PLUGIN_LABEL, type EchoRunSpec } from './docker-api.js';

/**
 * PID 1 of the busybox echo container. It writes the reply (`$ECHO_TEXT` plus a newline, as
 * http-echo answers) as `/www/index.html` and names that file the 404 page, so every path
 * answers the text (`/` with 200, any other path with 404), served as text/plain by busybox
 * `httpd`. The shell traps TERM: `httpd` as PID 1 ignores it, and every `docker stop` would
 * wait the whole stop timeout.
 */
export const BUSYBOX_ECHO_SCRIPT = [
  'mkdir -p /www',
  `printf '%s\\n' "$ECHO_TEXT" > /www/index.html`,
  `printf 'E404:/www/index.html\\n.html:text/plain; charset=utf-8\\n' > /etc/httpd.conf`,
  "trap 'exit 0' TERM",
  'httpd -f -p "$ECHO_PORT" -h /www -c /etc/httpd.conf & wait $!',
].join('; ');

/** Whether `image` is the locally built busybox image (never pulled). */
export function isBusyboxImage(image: string): boolean {
  return image === DEFAULT_IMAGE;
}

/**
 * The container for `options` in `instance`: the busybox image runs the script above with the
 * text and port in its environment (no shell quoting of user text); any other image gets
 * http-echo's arguments `-listen=:<port> -text=<text>`. Pure.
 */
export function echoRunSpec(options: EchoOptions, instance: string): EchoRunSpec {
  const [pluginKey, pluginValue] = PLUGIN_LABEL.split('=') as [string, string];
  const labels = { [pluginKey]: pluginValue, [INSTANCE_LABEL_KEY]: instance };
  if (isBusyboxImage(options.image)) {
    return { image: options.image, cmd: ['sh', '-c', BUSYBOX_ECHO_SCRIPT], env: [`ECHO_TEXT=${options.text}`, `ECHO_PORT=${options.port}`], labels, port: options.port };
  }
  return { image: options.image, cmd: [`-listen=:${options.port}`, `-text=${options.text}`], env: [], labels, port: options.port };
}
