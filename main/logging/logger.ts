import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { NodeLogger } from 'electron-log';
import { redactData } from '../../common/log-redaction.js';

/** What every module logs through: one scope per module, so a line says where it came from. */
export interface ScopedLogger {
  error(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
}
export interface Logger {
  scope(name: string): ScopedLogger;
}

export interface FileLogOptions {
  /** Directory of `main.log` and its archives. */
  dir: string;
  /** Rotate when the live file passes this many bytes. */
  maxSizeBytes: number;
  /** How many archived files (`main.1.log` newest … `main.N.log` oldest) to keep. */
  keepArchives: number;
  /** Also print to stdout at this level (development), or false (tests, harness). */
  consoleLevel: 'info' | 'debug' | false;
}

export const DEFAULT_FILE_LOG: Omit<FileLogOptions, 'dir'> = {
  maxSizeBytes: 2 * 1024 * 1024,
  keepArchives: 5,
  consoleLevel: false,
};

/**
 * Shifts `main.log` → `main.1.log` → … → `main.N.log`, dropping the oldest. electron-log's own
 * rotation keeps a single `.old.log`, too little history for a helpdesk ticket.
 */
export function rotateArchives(liveFile: string, keepArchives: number): void {
  const dir = dirname(liveFile);
  const ext = extname(liveFile);
  const stem = basename(liveFile, ext);
  const archive = (n: number) => join(dir, `${stem}.${n}${ext}`);
  const existing = new Set(readdirSync(dir));
  for (let n = keepArchives; n >= 1; n -= 1) {
    if (!existing.has(basename(archive(n)))) continue;
    if (n === keepArchives) rmSync(archive(n), { force: true });
    else renameSync(archive(n), archive(n + 1));
  }
  if (keepArchives >= 1) renameSync(liveFile, archive(1));
  else rmSync(liveFile, { force: true });
}

/**
 * Points an electron-log instance (`electron-log/main` in Electron, `electron-log/node` in tests
 * and the web harness — the same code path) at rotated files, with every message redacted before
 * any transport sees it.
 */
export function configureFileLogging(log: NodeLogger, options: FileLogOptions): Logger {
  mkdirSync(options.dir, { recursive: true });
  const file = log.transports.file;
  file.resolvePathFn = () => join(options.dir, 'main.log');
  file.maxSize = options.maxSizeBytes;
  file.archiveLogFn = (oldLogFile) => rotateArchives(oldLogFile.path, options.keepArchives);
  log.transports.console.level = options.consoleLevel;
  // electron-log's own renderer bridge stays off: renderer logs arrive through `log.write`, where
  // the IPC sender check applies.
  if (log.transports['ipc']) log.transports['ipc'].level = false;
  log.hooks.push((message) => ({ ...message, data: redactData(message.data) }));
  return { scope: (name) => log.scope(name) };
}
