import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'

/** The built binary, as npm links it: tests run it as a process, like a user does. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url))

/** Everything every process started by this module printed, for the "no secret in any output" checks. */
const everything: string[] = []
export const transcript = (): string => everything.join('')

function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  // Hermetic: no WEBHOOK_TRIGGER_* variable of the machine leaks into a test.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WEBHOOK_TRIGGER_')))
  return { ...inherited, ...env }
}

function launch(args: string[], env: Record<string, string>, cwd?: string): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    everything.push(chunk.toString())
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    everything.push(chunk.toString())
  })
  return { child, stdout: () => stdout, stderr: () => stderr }
}

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Starts `webhook-trigger <args>`; `finished` resolves when it has exited and its output is read. */
export function spawnCli(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const { child, stdout, stderr } = launch(args, env, cwd)
  const finished = (once(child, 'close') as Promise<[number | null]>).then(([code]): Finished => ({ code, stdout: stdout(), stderr: stderr() }))
  return { child, stdout, finished }
}

/** Runs `webhook-trigger <args>` to its end. */
export function runCli(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Finished> {
  return spawnCli(args, env, cwd).finished
}

export interface RunningCli {
  /** The URL it printed in "listening on <url>", with localhost as 127.0.0.1. */
  url: string
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Sends `signal` and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

const running = new Set<RunningCli>()

/** Starts a server command and waits for its "listening on" line. */
export async function startCli(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<RunningCli> {
  const { child, stdout, stderr } = launch(args, env, cwd)
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`webhook-trigger ${args.join(' ')} did not start:\n${stdout()}${stderr()}`)), 10_000)
    void exited.then(([code]) => reject(new Error(`webhook-trigger ${args.join(' ')} exited with ${code}:\n${stdout()}${stderr()}`)))
    child.stdout!.on('data', () => {
      const found = /listening on (http:\/\/\S+)/.exec(stdout())?.[1]
      if (found === undefined) return
      clearTimeout(timer)
      resolve(found.replace('//localhost:', '//127.0.0.1:'))
    })
  })
  const cli: RunningCli = {
    url,
    child,
    stdout,
    stderr,
    async stop(signal = 'SIGTERM') {
      running.delete(cli)
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const [code] = await exited
      return code
    },
  }
  running.add(cli)
  return cli
}

/** Stops every process still running; for afterEach. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((cli) => cli.stop('SIGKILL')))
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
