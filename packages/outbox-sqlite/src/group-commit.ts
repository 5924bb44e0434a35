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

/**
 * Runs the writes asked for in one turn of the event loop in one transaction.
 * Under load a receiver answers many requests per turn: one commit then writes
 * the pages they share to the WAL once, instead of once per write, which is
 * most of what an enqueue or a completion costs. Each call still resolves only
 * once its own row is committed, so a 202 sent after `enqueue` is still a
 * promise kept. When the batch fails, each write is tried again alone, so one
 * bad write rejects only its own call.
 */
export function groupCommit<A, R>(db: Sqlite.Database, write: (arg: A) => R): GroupCommit<A, R> {
  let queued: Array<Call<A, R>> = []
  const alone = db.transaction(write)
  const together = db.transaction((calls: ReadonlyArray<Call<A, R>>) => calls.map((call) => write(call.arg)))

  function flush(): void {
    const calls = queued
    if (calls.length === 0) return
    queued = []
    let results: R[]
    try {
      results = together(calls)
    } catch {
      for (const call of calls) {
        try {
          call.resolve(alone(call.arg))
        } catch (error) {
          call.reject(error)
        }
      }
      return
    }
    for (let i = 0; i < calls.length; i++) calls[i]!.resolve(results[i]!)
  }

  const queue = (arg: A) =>
    new Promise<R>((resolve, reject) => {
      if (queued.length === 0) setImmediate(flush)
      queued.push({ arg, resolve, reject })
    })
  return Object.assign(queue, { flush })
}
