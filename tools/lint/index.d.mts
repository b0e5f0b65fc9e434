/** Types of index.mjs for the TypeScript that imports it (the rule's unit test). */
export { ESLint } from 'eslint';
export { default as tseslint } from 'typescript-eslint';

export interface LayerRule {
  readonly dirs?: readonly string[];
  readonly packages?: readonly string[];
  readonly nodeBuiltins?: boolean;
  readonly onlyPackages?: readonly string[];
  readonly why: string;
}
export interface LayerTable {
  readonly layers: ReadonlyArray<{ readonly dir: string; readonly unless?: readonly string[]; readonly forbid: readonly LayerRule[] }>;
  readonly exempt?: ReadonlyArray<{ readonly file: string; readonly why: string }>;
}
/** Why `spec`, imported by repo-relative `file`, breaks the table, or null. */
export function layerViolation(table: LayerTable, file: string, spec: string): string | null;
export const clearlinePlugin: { meta: { name: string }; rules: Record<string, unknown> };
