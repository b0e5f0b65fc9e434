/** Types of index.mjs for the TypeScript that imports it (the layer rule's unit test). */
export { ESLint } from 'eslint';
export { default as tseslint } from 'typescript-eslint';
export const clearlinePlugin: { meta: { name: string }; rules: Record<string, unknown> };
