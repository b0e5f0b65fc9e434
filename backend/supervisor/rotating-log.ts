import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';

/** Size cap of one log file and how many rotated files (`x.log.1` … `x.log.N`) are kept. */
export interface LogLimits {
  readonly maxBytes: number;
  readonly keep: number;
}

/** 10 MiB × (1 + 5) files: a chatty component cannot fill the disk, and a day of history survives. */
export const DEFAULT_LOG_LIMITS: LogLimits = { maxBytes: 10 * 1024 * 1024, keep: 5 };

/** The renames that rotate `file` (pure): oldest first, so nothing is overwritten before it moved. */
export function rotationRenames(file: string, keep: number): Array<readonly [from: string, to: string]> {
  const renames: Array<readonly [string, string]> = [];
  for (let i = keep - 1; i >= 1; i--) renames.push([`${file}.${i}`, `${file}.${i + 1}`]);
  renames.push([file, `${file}.1`]);
  return renames;
}

/** The file operations a log needs; node:fs by default, injectable to simulate EIO/ENOSPC. */
export interface LogFs {
  open(file: string): number;
  /** Bytes written (may be fewer than asked); throws on error. */
  write(fd: number, data: Buffer, offset: number): number;
  close(fd: number): void;
  rename(from: string, to: string): void;
  /** Size in bytes, and whether it is a regular file (only those are rotated: never /dev/…). */
  stat(fd: number): { size: number; regular: boolean };
}

export const nodeLogFs: LogFs = {
  open: (file) => openSync(file, 'a', 0o600),
  write: (fd, data, offset) => writeSync(fd, data, offset),
  close: (fd) => closeSync(fd),
  rename: (from, to) => renameSync(from, to),
  stat: (fd) => {
    const st = fstatSync(fd);
    return { size: st.size, regular: st.isFile() };
  },
};

/**
 * One component's log: appends synchronously (so a caller pumping a child's stdout never waits on
 * the disk's mercy through a growing buffer), rotates at the size cap, and survives write errors.
 * A full or failing disk (ENOSPC, EIO) drops lines instead of throwing: the caller keeps draining
 * the child's pipe, so the engine never blocks on a full pipe and the stack keeps running.
 * `notice` gets one line when lines start being dropped and one when writes work again.
 */
export class RotatingLog {
  private fd: number | null = null;
  private size = 0;
  private regular = false;
  private droppedBytes = 0;

  constructor(
    readonly file: string,
    private readonly notice: (line: string) => void,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
    private readonly fs: LogFs = nodeLogFs,
  ) {
    if (!(limits.maxBytes > 0) || !Number.isInteger(limits.keep) || limits.keep < 1) {
      throw new RangeError(`log limits: maxBytes must be > 0 and keep an integer ≥ 1 (got ${limits.maxBytes}, ${limits.keep})`);
    }
  }

  write(chunk: Buffer | string): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (data.length === 0) return;
    try {
      this.ensureOpen();
      if (this.regular && this.size > 0 && this.size + data.length > this.limits.maxBytes) this.rotate();
      const fd = this.ensureOpen();
      for (let off = 0; off < data.length;) off += this.fs.write(fd, data, off);
      this.size += data.length;
    } catch (err) {
      this.drop(data.length, err as NodeJS.ErrnoException);
      return;
    }
    if (this.droppedBytes > 0) {
      this.notice(`log ${this.file}: writes work again; ${this.droppedBytes} bytes of log were dropped meanwhile`);
      this.droppedBytes = 0;
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      this.fs.close(this.fd);
    } catch {
      /* a failing disk may refuse the close too: the fd is released either way */
    }
    this.fd = null;
  }

  private ensureOpen(): number {
    if (this.fd === null) {
      const fd = this.fs.open(this.file);
      const st = this.fs.stat(fd);
      this.fd = fd;
      this.size = st.size;
      this.regular = st.regular;
    }
    return this.fd;
  }

  private rotate(): void {
    this.close();
    for (const [from, to] of rotationRenames(this.file, this.limits.keep)) {
      try {
        this.fs.rename(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  private drop(bytes: number, err: NodeJS.ErrnoException): void {
    if (this.droppedBytes === 0) {
      this.notice(
        `log ${this.file}: write failed (${err.code ?? err.message}); dropping this component's log lines until writes work again (the component keeps running)`,
      );
    }
    this.droppedBytes += bytes;
    // Reopen on the next write: the file may have been removed or the fd invalidated (EIO).
    if (err.code !== 'ENOSPC') this.close();
  }
}
