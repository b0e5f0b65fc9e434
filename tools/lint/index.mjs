/**
 * The lint tooling, from this npm workspace: typescript-eslint needs TypeScript's JS API, which
 * the project's TypeScript 7 no longer ships, so the workspace has its own TypeScript 6 and ESLint,
 * and everything else (eslint.config.mjs, `npm run lint`, the rule's unit test) imports them from
 * here rather than resolving 'eslint' from the root (where an old ESLint 7 of electronegativity is).
 */
import { layersRule } from './layers-rule.mjs';

export { ESLint } from 'eslint';
export { default as tseslint } from 'typescript-eslint';
export const clearlinePlugin = { meta: { name: 'clearline' }, rules: { layers: layersRule } };
