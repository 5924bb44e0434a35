import type { ChildProcess } from 'node:child_process'

/**
 * The child's next message of `type`. Rejects when the child exits first or
 * stays silent for `timeoutMs`, so a crashed server fails the run instead of
 * hanging it.
 */
export function nextMessage<M extends { type: string }, K extends M['type']>(
  child: ChildProcess,
  type: K,
  what: string,
  timeoutMs = 60_000,
): Promise<Extract<M, { type: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: M) => {
      if (message.type !== type) return
      off()
      resolve(message as Extract<M, { type: K }>)
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      off()
      reject(new Error(`${what} exited (${signal ?? `code ${code}`}) while the runner waited for "${type}"`))
    }
    const timer = setTimeout(() => {
      off()
      reject(new Error(`${what} sent no "${type}" within ${timeoutMs} ms`))
    }, timeoutMs)
    const off = () => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

/** Resolves once `child` has exited; kills it if it takes longer than `timeoutMs`. */
export function exited(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
