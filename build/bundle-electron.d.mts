/** Bundles main (ESM) and preload (CommonJS) into `outDir` (default: dist). */
export function bundleElectron(outDir?: string): Promise<{
  main: string;
  preload: string;
  /** The source files inlined into the preload, relative to the repository root. */
  preloadInputs: string[];
}>;
