/**
 * Runs async read-modify-write jobs one after another, so two quick IPC calls (e.g. two
 * `history.add` as calls end together) cannot read the same old file and drop each other's write.
 * A failed job rejects its own caller only; the queue goes on.
 */
export function serialQueue(): <T>(job: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (job) => {
    const run = tail.then(job);
    tail = run.catch(() => undefined);
    return run;
  };
}
