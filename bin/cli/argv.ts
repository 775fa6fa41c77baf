const TAKES_VALUE = new Set(['-r', '--remote', '-t', '--token']);

/**
 * Lets the global flags come before the command (`dockersnap -r URL plugin list`), as cobra's
 * persistent flags can: oclif wants the command id first, so leading global flags are moved
 * to the end (before a `--`, if any).
 */
export function hoistGlobalFlags(argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (TAKES_VALUE.has(arg) && i + 1 < argv.length) {
      leading.push(arg, argv[i + 1]!);
      i += 2;
    } else if (/^--(remote|token)=/.test(arg)) {
      leading.push(arg);
      i += 1;
    } else break;
  }
  if (leading.length === 0) return [...argv];
  const rest = argv.slice(i);
  const dashdash = rest.indexOf('--');
  return dashdash < 0 ? [...rest, ...leading] : [...rest.slice(0, dashdash), ...leading, ...rest.slice(dashdash)];
}

/**
 * `dockersnap docker NAME docker-args…` passes docker's flags through untouched: without a
 * `--`, one is inserted after the instance name, so neither oclif's parser nor its `--help`
 * detection touches them (state-and-config §3.7). Global flags before the command stay global.
 */
export function protectPassthrough(argv: readonly string[]): string[] {
  let i = 0;
  while (i < argv.length && (TAKES_VALUE.has(argv[i]!) || /^--(remote|token)=/.test(argv[i]!))) i += TAKES_VALUE.has(argv[i]!) ? 2 : 1;
  if (argv[i] !== 'docker' || argv.includes('--')) return [...argv];
  let at = i + 1;
  while (at < argv.length && (TAKES_VALUE.has(argv[at]!) || /^--(remote|token)=/.test(argv[at]!))) at += TAKES_VALUE.has(argv[at]!) ? 2 : 1;
  if (at >= argv.length) return [...argv];
  return [...argv.slice(0, at + 1), '--', ...argv.slice(at + 1)];
}
