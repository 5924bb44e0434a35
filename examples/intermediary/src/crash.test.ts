import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { REDIS_URL, type RunningExample, type Upstream, listen, redisForTests, runExample, send } from '@webhook-trigger/testkit'
import { Queue } from 'bullmq'
import { afterEach, describe, expect, it, vi } from 'vitest'

const dir = fileURLToPath(new URL('..', import.meta.url))
const CRM_EVENT = '{"type":"contact.updated","contact":{"id":"1234","status":"active"}}'
const KILLS = 3
const SENDERS = 4
// Short leases and retries so the test is bounded; the defaults are 30 s and the Standard Webhooks schedule.
const FAST = { LEASE_MS: '1500', POLL_MS: '100', RETRY_DELAYS_MS: Array(12).fill('250').join(','), REDIS_STALLED_MS: '300' }

/** A receiver that fails every third request with 503 and records what it accepted, by idempotency key. */
async function flakyUpstream(): Promise<Upstream & { delivered: string[] }> {
  const delivered: string[] = []
  let requests = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (++requests % 3 === 0) return void res.writeHead(503).end()
      delivered.push(String(req.headers['idempotency-key']))
      res.writeHead(202).end()
    })
  })
  return { ...(await listen(server)), received: [], delivered }
}

async function freePort(): Promise<number> {
  const server = await listen(createServer())
  const port = Number(new URL(server.url).port)
  await server.close()
  return port
}

/** Sends CRM events with ids evt-0, evt-1, ... from a few senders, to any live intermediary, until stopped. */
function steadyStream(urls: () => string[]) {
  const accepted: string[] = []
  let next = 0
  let running = true
  const sender = async () => {
    while (running) {
      const id = `evt-${next++}`
      const targets = urls()
      try {
        const reply = await send(targets[next % targets.length]!, { headers: { 'content-type': 'application/json', 'x-api-key': 'crm_key_123', 'webhook-id': id }, body: CRM_EVENT })
        if (reply.status === 202) accepted.push(id)
      } catch {
        await sleep(20) // the intermediary is down: this event was never accepted
      }
    }
  }
  const senders = Array.from({ length: SENDERS }, sender)
  return { accepted, stop: () => ((running = false), Promise.all(senders)) }
}

function duplicatesOf(delivered: string[]): string[] {
  const seen = new Set<string>()
  return delivered.filter((id) => (seen.has(id) ? true : (seen.add(id), false)))
}

describe('intermediary example under kill -9', () => {
  const running: RunningExample[] = []
  const upstreams: Upstream[] = []
  afterEach(async () => {
    for (const example of running.splice(0)) await example.stop()
    for (const upstream of upstreams.splice(0)) await upstream.close()
  })

  const start = async (env: Record<string, string>) => {
    // node itself, not npm start: SIGKILL must reach the server, and npm would not pass it on.
    const example = await runExample(dir, { ...FAST, ...env }, { command: ['node', 'dist/server.js'] })
    running.push(example)
    return example
  }
  const kill = async (example: RunningExample) => {
    example.child.kill('SIGKILL')
    await new Promise((resolve) => example.child.once('exit', resolve))
  }

  it('keeps every 202 with the SQLite outbox across repeated SIGKILLs and restarts', async () => {
    const upstream = await flakyUpstream()
    upstreams.push(upstream)
    const port = await freePort()
    const env = { PORT: String(port), TARGET_URL: `${upstream.url}/webhook`, OUTBOX_PATH: join(mkdtempSync(join(tmpdir(), 'crash-')), 'outbox.sqlite') }
    let current = await start(env)
    const stream = steadyStream(() => [current.url])
    for (let kill_ = 0; kill_ < KILLS; kill_++) {
      await sleep(700)
      await kill(current)
      current = await start(env)
    }
    await sleep(500)
    await stream.stop()

    await vi.waitFor(() => expect(stream.accepted.filter((id) => !upstream.delivered.includes(id))).toEqual([]), { timeout: 20_000, interval: 200 })
    const duplicates = duplicatesOf(upstream.delivered)
    console.log(`sqlite crash test: ${stream.accepted.length} accepted, ${KILLS} kills survived, ${duplicates.length} duplicates`)
    // A duplicate is a send in flight when its process died: at most the deliverer's concurrency per kill.
    expect(duplicates.length).toBeLessThanOrEqual(KILLS * 8)
    expect(stream.accepted.length).toBeGreaterThan(50)
  }, 45_000)

  it('keeps every 202 with the Redis outbox shared by two processes, one killed repeatedly', async (context) => {
    if (!(await redisForTests('the Redis crash test'))) return context.skip()
    const upstream = await flakyUpstream()
    upstreams.push(upstream)
    const env = { OUTBOX: 'redis', REDIS_URL, REDIS_QUEUE: `crash-${Date.now()}`, TARGET_URL: `${upstream.url}/webhook` }
    const survivor = await start(env)
    const victimEnv = { ...env, PORT: String(await freePort()) }
    let victim = await start(victimEnv)
    const stream = steadyStream(() => [survivor.url, victim.url])
    for (let kill_ = 0; kill_ < 2; kill_++) {
      await sleep(700)
      await kill(victim)
      victim = await start(victimEnv)
    }
    await sleep(500)
    await stream.stop()

    const started = Date.now()
    const queue = new Queue(env.REDIS_QUEUE, { connection: { url: REDIS_URL } })
    try {
      await vi.waitFor(() => expect(stream.accepted.filter((id) => !upstream.delivered.includes(id))).toEqual([]), { timeout: 25_000, interval: 200 })
    } catch (error) {
      // Say where the missing events are, for whoever reads a failing CI log.
      for (const id of stream.accepted.filter((id) => !upstream.delivered.includes(id))) {
        const job = await queue.getJob(id)
        console.error(id, job ? { state: await job.getState(), attemptsMade: job.attemptsMade, failedReason: job.failedReason, delay: job.delay, ts: job.timestamp } : 'not in Redis')
      }
      throw error
    }
    console.log(`redis: all delivered ${Date.now() - started} ms after the stream stopped`)
    const duplicates = duplicatesOf(upstream.delivered)
    console.log(`redis crash test: ${stream.accepted.length} accepted, 2 kills survived, ${duplicates.length} duplicates`)
    await queue.obliterate({ force: true })
    await queue.close()
    expect(duplicates.length).toBeLessThanOrEqual(2 * 8)
    expect(stream.accepted.length).toBeGreaterThan(50)
  }, 45_000)
})
