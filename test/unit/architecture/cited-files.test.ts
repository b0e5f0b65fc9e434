/**
 * No comment or document cites a file the repository does not have. Files move (common/, tools/,
 * split modules) and a comment that still names a file by its old path sends the next reader
 * nowhere. Checked: comments in TypeScript and JavaScript, the whole text of Markdown; a citation is
 * a path that starts with one of the repository's top-level directories and ends in a file name
 * with an extension (`backend/ports.ts`, `test/with-reserved-ports.mjs`). Globs and directories are
 * not citations of a file, nor is a path a command in a document writes (`-out build/key.pem`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

/** Build output, installed packages (.node: the Node.js ensure-deps installs) and VCS data are not the repository's sources. */
const NOT_SOURCES = new Set(['node_modules', 'dist', '.git', '.node']);

const CODE = /\.(?:ts|tsx|mjs|cjs)$/;
const MARKDOWN = /\.md$/;

/** Comment text of a TypeScript/JavaScript source: block and line comments, strings left out. */
function commentsOf(source: string): string {
  const comments: string[] = [];
  // Strings first in the alternation so a '//' inside a URL string is not taken for a comment.
  const re = /'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;
  for (const m of source.matchAll(re)) if (m[0].startsWith('/')) comments.push(m[0]);
  return comments.join('\n');
}

/** Repo-relative file paths cited in `text`, given the repository's top-level directory names. */
function citedPaths(text: string, topLevelDirs: readonly string[]): string[] {
  const dirs = topLevelDirs.map((d) => d.replace(/[.]/g, '\\.')).join('|');
  // Not preceded by a path character: `../shared/x.md` or `node_modules/sip.js/lib/x.js` are not ours;
  // nor by an output option or redirection: that path is what the command creates.
  const re = new RegExp(`(?<![\\w./@-])(?<!(?:>|-o|-out|--out|--output)\\s+)((?:${dirs})/[\\w./-]*\\w\\.[a-z]{1,5})(?![\\w/*])`, 'g');
  return [...new Set([...text.matchAll(re)].map((m) => m[1]!))];
}

function repoFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    if (NOT_SOURCES.has(name)) return [];
    const rel = dir ? join(dir, name) : name;
    if (statSync(join(root, rel)).isDirectory()) return repoFiles(rel);
    return CODE.test(name) || MARKDOWN.test(name) ? [rel] : [];
  });
}

test('the scan finds a citation in a comment and ignores the same text in a string', () => {
  // Top-level directories the repository does not have, so these examples are no citations of ours.
  const source = `const url = 'http://x/alpha/gone.ts'; // see alpha/gone.ts\n/** and beta/x/y.tsx, not ../gamma/z.md */`;
  assert.deepEqual(citedPaths(commentsOf(source), ['alpha', 'beta', 'gamma']), ['alpha/gone.ts', 'beta/x/y.tsx']);
  assert.deepEqual(citedPaths('alpha/calling/* and beta/unit/**/*.ts and alpha/config/ and -out beta/key.pem', ['alpha', 'beta']), []);
});

test('every file cited in a comment or a Markdown document exists', () => {
  const topLevelDirs = readdirSync(root).filter((n) => !NOT_SOURCES.has(n) && statSync(join(root, n)).isDirectory());
  const missing: string[] = [];
  for (const file of repoFiles('')) {
    const text = readFileSync(join(root, file), 'utf8');
    const cited = citedPaths(MARKDOWN.test(file) ? text : commentsOf(text), topLevelDirs);
    for (const path of cited) if (!existsSync(join(root, path))) missing.push(`${file} cites ${path}`);
  }
  assert.deepEqual(missing, [], 'fix the comment (the file moved or was renamed) or drop the citation');
});
