/** Help groups, in the order the root help shows them (state-and-config §3.1), then plugin commands. */
export const GROUPS = ['Lifecycle', 'State', 'Access', 'Admin', 'Plugin'] as const;

/** The root-help group a command is listed in (`static group` on the command class). */
export type Group = (typeof GROUPS)[number];
