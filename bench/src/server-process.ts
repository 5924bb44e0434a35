import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { exited, nextMessage } from './ipc.js'
import { nodeCommand } from './pinning.js'
import type { FromServer, ServerStats, ToServer } from './protocol.js'

export interface ServerProcess {
  readonly name: string
  readonly pid: number
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string
  stats(): Promise<ServerStats>
  /** Sends a server its own control message and waits for its reply of `reply` type (the counting upstream's). */
  ask<M extends { type: string }>(message: { type: string } & Record<string, unknown>, reply: M['type']): Promise<M>
  stop(): Promise<void>
}

export interface StartOptions {
  /** Core to pin the process to; unpinned when undefined. */
  cpu: number | undefined
  env?: Record<string, string>
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[]
}

/**
 * V8's memory reducer runs a full GC in a process that has sat idle for about
 * 8 s after start. The interleaving leaves every server but the first idle
 * that long before its first request, and that GC leaves V8 slower for the
 * rounds that follow (`perf` puts the extra time in
 * `Runtime_DefineKeyedOwnPropertyInLiteral`, i.e. object literals with
 * computed keys such as Node's own `nextTick`): the same reference server
 * measured 0.88x of itself when loaded last. Without the reducer a server's
 * place in the order no longer matters; the `node-http-late` row checks that
 * in every run. It only acts on idle processes, so peak RSS under load is
 * not flattered.
 */
const SERVER_NODE_ARGS = ['--no-memory-reducer']

/** Starts `servers/<file>.js` as its own process and waits until it listens. */
export async function startServer(name: string, file: string, options: StartOptions): Promise<ServerProcess> {
  const script = fileURLToPath(new URL(`./servers/${file}.js`, import.meta.url))
  const [command, args] = nodeCommand(options.cpu, [...SERVER_NODE_ARGS, ...(options.nodeArgs ?? []), script])
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', ...options.env },
  })
  const what = `server "${name}" (${file}.js)`
  const { port } = await nextMessage<FromServer, 'ready'>(child, 'ready', what, 30_000)
  const send = (message: ToServer) => child.send(message)

  return {
    name,
    // taskset execs node in place, so this is the server's own pid.
    pid: child.pid!,
    origin: `http://127.0.0.1:${port}`,
    async stats() {
      const reply = nextMessage<FromServer, 'stats'>(child, 'stats', what)
      send({ type: 'stats' })
      const { cpuMicros, maxRssBytes, peakHeapBytes, pending } = await reply
      return { cpuMicros, maxRssBytes, peakHeapBytes, pending }
    },
    async ask<M extends { type: string }>(message: { type: string } & Record<string, unknown>, reply: M['type']) {
      const answer = nextMessage<M, M['type']>(child, reply, what)
      child.send(message)
      return (await answer) as M
    },
    async stop() {
      if (child.connected) send({ type: 'stop' })
      await exited(child)
    },
  }
}
