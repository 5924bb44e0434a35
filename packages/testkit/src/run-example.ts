import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { createInterface } from 'node:readline'

export interface RunningExample {
  /** The URL the example printed, e.g. http://localhost:41234/webhook, with localhost made 127.0.0.1. */
  url: string
  /** Every line the process printed to stdout so far. */
  lines: string[]
  /** The lines that are JSON log lines (pino's), parsed. */
  logs(): Array<Record<string, unknown>>
  child: ChildProcess
  stop(): Promise<void>
}

/**
 * Runs `npm start` in an example folder, as a user would, on a free port,
 * and waits for its "listening on <url>" line. `command` runs something
 * else instead, e.g. `node dist/server.js` when the test must signal the
 * server process itself (npm does not pass SIGKILL on).
 */
export async function runExample(
  dir: string,
  env: Record<string, string> = {},
  { command = ['npm', 'start', '--silent'], timeoutMs = 15_000 }: { command?: string[]; timeoutMs?: number } = {},
): Promise<RunningExample> {
  const [program, ...args] = command
  const child = spawn(program!, args, {
    cwd: dir,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stop() reaches npm, its shell and the server alike.
    detached: true,
  })
  const lines: string[] = []
  const errors: string[] = []
  createInterface({ input: child.stderr }).on('line', (line) => errors.push(line))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${dir} did not start in ${timeoutMs} ms:\n${errors.join('\n')}`)), timeoutMs)
    child.once('exit', (code) => reject(new Error(`${dir} exited with ${code}:\n${errors.join('\n')}`)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line)
      // A plain line or a JSON log line's message: the URL ends at a space, a comma or a quote.
      const found = /listening on (http:\/\/[^\s,"]+)/.exec(line)?.[1]
      if (found !== undefined) {
        clearTimeout(timer)
        resolve(found.replace('//localhost:', '//127.0.0.1:'))
      }
    })
  })
  return {
    url,
    lines,
    logs: () => lines.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [])),
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      // npm does not reliably pass signals on to the server: signal the whole group,
      // give it two seconds to close, then kill whatever is left.
      const group = -child.pid!
      const alive = () => {
        try {
          process.kill(group, 0)
          return true
        } catch {
          return false
        }
      }
      process.kill(group, 'SIGTERM')
      for (let waited = 0; alive() && waited < 2000; waited += 50) await sleep(50)
      if (alive()) process.kill(group, 'SIGKILL')
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
    },
  }
}

export interface ExitedExample {
  code: number | null
  stdout: string[]
  stderr: string[]
}

/**
 * Runs `npm start` in an example folder, expecting it to stop by itself
 * (it cannot start), and resolves with its exit code and output lines.
 */
export async function runToExit(
  dir: string,
  env: Record<string, string> = {},
  { command = ['npm', 'start', '--silent'], timeoutMs = 15_000 }: { command?: string[]; timeoutMs?: number } = {},
): Promise<ExitedExample> {
  const [program, ...args] = command
  const child = spawn(program!, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const stdout: string[] = []
  const stderr: string[] = []
  createInterface({ input: child.stdout }).on('line', (line) => stdout.push(line))
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line))
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs)
  const [code] = (await once(child, 'close')) as [number | null]
  clearTimeout(timer)
  return { code, stdout, stderr }
}
