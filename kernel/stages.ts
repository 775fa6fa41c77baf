/**
 * Named tap stages. A tap's `stage` orders it against taps of other plugins on the same
 * hook: lower runs first. Use these names, never bare numbers.
 */
export const STAGES = {
  /** Storage-level work (datasets must exist before anything else touches them). */
  STORAGE: -100,
  /** Network plumbing (netns, veth, iptables). */
  NETWORK: -50,
  /** Ordinary plugins. */
  DEFAULT: 0,
  /** Observers that only record or report. */
  OBSERVE: 100,
} as const;

export type StageName = keyof typeof STAGES;
