import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** An example server running as its own process, so a crash is seen as an exit, not a thrown test. */
export interface TargetProcess {
  name: string
  port: number
  pid: number
  /** Why it stopped on its own (exit code or signal, and its last lines), or undefined while it runs. */
  crashed(): string | undefined
  stop(): Promise<void>
}

const root = fileURLToPath(new URL('../../', import.meta.url))

/** Keeps the last lines a process printed, for the report when it dies. */
function tail(child: ChildProcess, keep = 20): string[] {
  const lines: string[] = []
  const add = (line: string) => {
    lines.push(line)
    if (lines.length > keep) lines.shift()
  }
  createInterface({ input: child.stderr! }).on('line', add)
  return lines
}

export interface StartOptions {
  /** Node flags before the script, e.g. `--import` of a probe. */
  nodeArgs?: readonly string[]
  /** Open an IPC channel, for a probe that answers `process.send()`. */
  ipc?: boolean
}

/** Starts `examples/<example>/dist/server.js` on a free port and waits for its "listening on" line. */
export async function startExample(name: string, example: string, env: Record<string, string>, options: StartOptions = {}): Promise<TargetProcess & { child: ChildProcess }> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(root, 'examples', example, 'dist', 'server.js')], {
    cwd: join(root, 'examples', example),
    env: { ...process.env, PORT: '0', ...env },
    stdio: options.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  })
  const errors = tail(child)
  let exit: string | undefined
  child.once('exit', (code, signal) => (exit = `${name} exited (${signal ?? `code ${code}`}):\n${errors.join('\n')}`))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 20 s:\n${errors.join('\n')}`)), 20_000)
    child.once('exit', () => reject(new Error(exit)))
    // Every accepted event prints a line: read them all, keep none.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const found = /listening on http:\/\/[^:]+:(\d+)/.exec(line)?.[1]
      if (found === undefined) return
      clearTimeout(timer)
      resolve(Number(found))
    })
  })
  return {
    name,
    port,
    child,
    pid: child.pid!,
    crashed: () => exit,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** A receiver for the intermediary's deliveries: 202 to everything, keeping nothing. */
export async function startSink(): Promise<{ url: string; delivered(): number; close(): Promise<void> }> {
  let delivered = 0
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      delivered++
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    delivered: () => delivered,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** A fresh directory for the intermediary's SQLite outbox, removed by the returned function. */
export function scratchDirectory(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'webhook-trigger-resilience-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
