/**
 * The build string shown by `version`, `--version` and the daemon's health (api-v1 §6.1):
 * `v<semver>+<build metadata>`. Nothing stamps release builds yet, so every build is `+dev`.
 */
export function buildVersion(packageVersion: string): string {
  return `v${packageVersion}+dev`;
}
