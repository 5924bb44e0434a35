import type Sqlite from 'better-sqlite3'

interface Call<A, R> {
  arg: A
  resolve: (result: R) => void
  reject: (error: unknown) => void
}

export interface GroupCommit<A, R> {
  /** Queues one write; resolves with its result once the transaction holding it is committed. */
  (arg: A): Promise<R>
  /** Commits what is queued now, e.g. before the database closes. */
  flush(): void
}

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown }

/**
 * Runs the writes asked for in one turn of the event loop in one transaction.
 * Under load a receiver answers many requests per turn: one commit then writes
 * the pages they share to the WAL once, instead of once per write, which is
 * most of what an enqueue or a completion costs. Each call still resolves only
 * once its own row is committed, so a 202 sent after `enqueue` is still a
 * promise kept. Each write runs in its own savepoint, so one bad write rolls
 * back and rejects alone; the batch takes the write lock up front (BEGIN
 * IMMEDIATE), so a database locked by another process fails the batch once,
 * after one busy timeout, rather than once per write.
 */
export function groupCommit<A, R>(db: Sqlite.Database, write: (arg: A) => R, failed?: (error: unknown, writes: number) => void): GroupCommit<A, R> {
  let queued: Array<Call<A, R>> = []
  // A transaction function called inside another runs as a savepoint.
  const alone = db.transaction(write)
  const together = db.transaction((calls: ReadonlyArray<Call<A, R>>) =>
    calls.map((call): Outcome<R> => {
      try {
        return { ok: true, value: alone(call.arg) }
      } catch (error) {
        return { ok: false, error }
      }
    }),
  )

  function flush(): void {
    const calls = queued
    if (calls.length === 0) return
    queued = []
    let outcomes: Array<Outcome<R>>
    try {
      outcomes = together.immediate(calls)
    } catch (error) {
      failed?.(error, calls.length)
      for (const call of calls) call.reject(error)
      return
    }
    for (let i = 0; i < calls.length; i++) {
      const outcome = outcomes[i]!
      if (outcome.ok) calls[i]!.resolve(outcome.value)
      else calls[i]!.reject(outcome.error)
    }
  }

  const queue = (arg: A) =>
    new Promise<R>((resolve, reject) => {
      if (queued.length === 0) setImmediate(flush)
      queued.push({ arg, resolve, reject })
    })
  return Object.assign(queue, { flush })
}
