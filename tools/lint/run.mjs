#!/usr/bin/env node
// `npm run lint`: ESLint over the repository with eslint.config.mjs; exit 1 on any problem.
import { resolve } from 'node:path';
import { ESLint } from './index.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });
const results = await eslint.lintFiles(['.']);
const formatter = await eslint.loadFormatter('stylish');
const report = await formatter.format(results);
if (report) console.log(report);
const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
if (problems > 0) process.exitCode = 1;
else console.log(`lint: ${results.length} files, no problems`);
