import { builtinModules } from 'node:module';
import { posix, relative, sep } from 'node:path';

/**
 * ESLint rule `clearline/layers`: every import (static, re-export, dynamic, `import type`,
 * `typeof import()`, require) is checked against ONE table of layers, given as the rule's options.
 * A relative specifier is resolved to its path in the repository first, so '../../main/x.js' from
 * backend/ and '../main/x.js' from tools/ are judged by where they land, not by how they are spelt.
 *
 * options[0].layers: [{ dir, unless?, forbid: [{ dirs?, packages?, nodeBuiltins?, onlyPackages?, why }] }]
 *   dir           the files it applies to (a repo-relative directory; nested layers add up)
 *   unless        subdirectories of dir it does not apply to
 *   dirs          repo directories the layer may not import from
 *   packages      npm packages it may not import (the package or any subpath)
 *   nodeBuiltins  true: no Node built-in module (node:fs, fs, …)
 *   onlyPackages  the only npm packages it may import
 * options[0].exempt: repo-relative files the table does not apply to, each with its reason.
 */
const NODE_BUILTINS = new Set(builtinModules);
const isBuiltin = (spec) => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]);
const packageOf = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
const within = (path, dir) => path === dir || path.startsWith(dir + '/');
const toPosix = (p) => p.split(sep).join('/');

/** Why `spec`, imported by repo file `file`, breaks the table, or null. Pure. */
function layerViolation(table, file, spec) {
  if ((table.exempt ?? []).some((e) => e.file === file)) return null;
  const relativeSpec = spec.startsWith('./') || spec.startsWith('../');
  const target = relativeSpec ? posix.normalize(posix.join(posix.dirname(file), spec)) : null;
  for (const layer of table.layers) {
    if (!within(file, layer.dir) || (layer.unless ?? []).some((dir) => within(file, dir))) continue;
    for (const rule of layer.forbid) {
      const hit = relativeSpec
        ? (rule.dirs ?? []).some((dir) => within(target, dir) && !within(file, dir))
        : (rule.nodeBuiltins && isBuiltin(spec)) ||
          (rule.packages ?? []).includes(packageOf(spec)) ||
          (rule.onlyPackages !== undefined && !isBuiltin(spec) && !rule.onlyPackages.includes(packageOf(spec)));
      if (hit) return `${layer.dir}/ may not import '${spec}'${target ? ` (${target})` : ''}: ${rule.why}`;
    }
  }
  return null;
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports respect the process and layer boundaries (DESIGN.md)' },
    schema: [
      {
        type: 'object',
        properties: { layers: { type: 'array' }, exempt: { type: 'array' } },
        required: ['layers'],
        additionalProperties: false,
      },
    ],
    messages: { crossed: '{{why}}' },
  },
  create(context) {
    const table = context.options[0];
    const file = toPosix(relative(context.cwd, context.filename));
    const check = (source) => {
      if (!source || typeof source.value !== 'string') return;
      const why = layerViolation(table, file, source.value);
      if (why) context.report({ node: source, messageId: 'crossed', data: { why } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.argument?.literal ?? node.argument),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node.arguments[0]);
      },
    };
  },
};
