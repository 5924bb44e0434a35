import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { redisAnswers } from './redis.js'

/** A `redis-server` process of a test's own, on its own port and data directory. */
export interface RedisServer {
  url: string
  /** Where its append-only file lives; a restart reads it back. */
  dir: string
  /** Starts it again on the same port and directory (after stop() or kill()); resolves once it answers. */
  start(): Promise<void>
  /** SIGTERM: Redis writes what it must and exits. */
  stop(): Promise<void>
  /** SIGKILL: a crash, nothing written at exit. */
  kill(): Promise<void>
  /** SIGSTOP: the process stays, its connections stay open, nothing is answered. */
  hang(): void
  /** SIGCONT after hang(). */
  resume(): void
  /** Kills it and deletes its directory. */
  close(): Promise<void>
}

/**
 * Whether fault tests that start their own Redis can run. Outside CI a missing
 * `redis-server` skips them with a visible message; with CI=true it is a failure.
 */
export function redisServerForTests(what: string): boolean {
  if (spawnSync('redis-server', ['--version']).status === 0) return true
  if (process.env.CI === 'true') throw new Error(`redis-server is not installed, and CI=true needs it for ${what}`)
  console.warn(`Skipping ${what}: no redis-server on PATH.`)
  return false
}

/**
 * Starts `redis-server` on `port` with the append-only file on (`appendfsync
 * everysec`, Redis' default) in a fresh directory, and resolves once it answers.
 *
 * @example
 * const redis = await startRedisServer(6391)
 * redis.hang(); ...; redis.resume()
 */
export async function startRedisServer(port: number): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-redis-'))
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined

  async function start(): Promise<void> {
    // Another server on the port (one left over by a run that was killed) would answer for ours.
    if (await redisAnswers(url)) throw new Error(`Something already answers on ${url}; stop it before running these tests`)
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--loglevel', 'warning']
    const started = spawn('redis-server', args, { stdio: 'ignore' })
    child = started
    for (let i = 0; i < 100 && started.exitCode === null; i++) {
      if (await redisAnswers(url)) return
      await sleep(50)
    }
    throw new Error(`redis-server did not answer on ${url} (port in use?)`)
  }

  async function end(signal: NodeJS.Signals): Promise<void> {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGCONT')
    running.kill(signal)
    await exited
  }

  await start()
  return {
    url,
    dir,
    start,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    hang: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async close() {
      await end('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
