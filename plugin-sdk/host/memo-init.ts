/** A memoised, retryable initialisation; see {@link memoInit}. */
export interface MemoInit {
  /**
   * Runs the initialisation now — again, if it ran before — and makes this run the one
   * `ready()` hands out. Rejects with the initialisation's own error.
   */
  run(): Promise<void>;
  /**
   * Resolves once an initialisation has succeeded: joins the current run, or starts one when
   * none ran yet or the last one failed. Rejects with the error of the run it joined.
   */
  ready(): Promise<void>;
}

/**
 * Wraps a driver's idempotent `init` so that every other method can `await ready()` first:
 * concurrent callers share one run, a failed run is forgotten (the next `ready()` retries)
 * unless a newer run has replaced it, and an explicit `run()` always runs again. Creating it
 * runs nothing.
 */
export function memoInit(init: () => Promise<void>): MemoInit {
  let current: Promise<void> | undefined;
  const run = async (): Promise<void> => {
    const attempt = init();
    current = attempt;
    await attempt.catch((err: unknown) => {
      if (current === attempt) current = undefined;
      throw err;
    });
  };
  return { run, ready: () => current ?? run() };
}
