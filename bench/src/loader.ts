import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { exited, nextMessage } from './ipc.js'
import { nodeCommand } from './pinning.js'
import type { FromLoader, LoadJob, LoadResult, ToLoader } from './protocol.js'

export interface Loader {
  run(job: LoadJob): Promise<LoadResult>
  stop(): Promise<void>
}

/** Starts the autocannon worker process (see load-worker.ts) on `cpu`. */
export async function startLoader(cpu: number | undefined): Promise<Loader> {
  const [command, args] = nodeCommand(cpu, [fileURLToPath(new URL('./load-worker.js', import.meta.url))])
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const what = 'the autocannon worker'
  await nextMessage<FromLoader, 'ready'>(child, 'ready', what, 30_000)

  return {
    async run(job) {
      const done = nextMessage<FromLoader, 'done'>(child, 'done', what, (job.duration + 60) * 1000)
      child.send({ type: 'run', job } satisfies ToLoader)
      const { outcome } = await done
      if (!outcome.ok) throw new Error(`autocannon failed against ${job.url}: ${outcome.message}`)
      return outcome.result
    },
    async stop() {
      child.disconnect()
      await exited(child)
    },
  }
}
