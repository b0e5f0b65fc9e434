/**
 * Electron fuses flipped into the packaged binary (electron-builder `electronFuses`). They remove
 * ways to turn the signed app into a general-purpose Node runtime or to run code that is not
 * the shipped asar. Kept here as data so a unit test holds electron-builder.yml to it.
 */
export const REQUIRED_FUSES = {
  runAsNode: false, // ELECTRON_RUN_AS_NODE would make the binary a Node interpreter
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false, // NODE_OPTIONS could inject --require
  enableNodeCliInspectArguments: false, // --inspect would open a debugger into main
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false, // we serve app://, file:// needs no privileges
} as const;

/** The names of fuses whose configured value differs from the required one (missing counts). */
export function fuseViolations(configured: Record<string, unknown> | undefined): string[] {
  return Object.entries(REQUIRED_FUSES)
    .filter(([name, value]) => configured?.[name] !== value)
    .map(([name, value]) => `${name} must be ${value} (is ${String(configured?.[name])})`);
}
