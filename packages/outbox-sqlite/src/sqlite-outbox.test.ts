import type { NewMessage, Outbox } from '@webhook-trigger/core'
import { describeOutboxContract, startNodeWorker } from '@webhook-trigger/testkit'
import Database from 'better-sqlite3'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { sqliteOutbox } from './sqlite-outbox.js'

const T0 = Date.parse('2026-11-28T10:00:00Z')
const LEASE = 30_000
const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'outbox-sqlite-'))
let files = 0
const freshFile = () => join(dir, `outbox-${++files}.sqlite`)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function message(id: string, body: Uint8Array = Buffer.from(`{"n":"${id}"}`)): NewMessage {
  return { id, target: 'http://127.0.0.1:3000/webhook', headers: { 'content-type': 'application/json' }, body }
}

describeOutboxContract("sqliteOutbox({ path: ':memory:' })", (retention) => sqliteOutbox({ path: ':memory:', ...retention }))
describeOutboxContract('sqliteOutbox() on a WAL file', (retention) => sqliteOutbox({ path: freshFile(), ...retention }))

describe('sqliteOutbox()', () => {
  const open: Outbox[] = []
  const outbox = (path: string): Outbox => {
    const created = sqliteOutbox({ path })
    open.push(created)
    return created
  }
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close()
  })

  it('stores the body as a BLOB and the headers as JSON, in a WAL-mode file', async () => {
    const path = freshFile()
    await outbox(path).enqueue(message('evt_1', Buffer.from([0xff, 0x00, 0xfe])), T0)
    const raw = new Database(path, { readonly: true })
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(raw.prepare('SELECT typeof(body) AS type, hex(body) AS hex, headers FROM webhook_outbox').get()).toEqual({
        type: 'blob',
        hex: 'FF00FE',
        headers: '{"content-type":"application/json"}',
      })
    } finally {
      raw.close()
    }
  })

  it('commits the enqueues and completions of one turn of the event loop together, each resolving once committed', async () => {
    const path = freshFile()
    const store = outbox(path)
    const walBytes = walSize(path)
    await store.enqueue(message('evt_warm'), T0)
    const start = walBytes()
    await store.enqueue(message('evt_one'), T0)
    const one = walBytes() - start
    const before = walBytes()
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => store.enqueue(message(`evt_${i}`), T0)))
    expect(answers).toEqual(Array(20).fill('queued'))
    // Twenty commits would append at least twenty frames; one commit appends what one insert does.
    expect(one).toBeGreaterThan(0)
    expect(walBytes() - before).toBeLessThanOrEqual(2 * one)
    const leases = await store.lease(22, T0, LEASE)
    const mid = walBytes()
    expect(await Promise.all(leases.map((lease) => store.complete(lease)))).toEqual(Array(22).fill(true))
    expect(walBytes() - mid).toBeLessThanOrEqual(2 * one)
    expect(await store.list('pending')).toEqual([])
  })

  it('opens a file of the first version (no delivered state, no attempts) and keeps its events', async () => {
    const path = freshFile()
    const old = new Database(path)
    old.exec(`CREATE TABLE webhook_outbox (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, target TEXT NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'dead')), attempts INTEGER NOT NULL, created_at INTEGER NOT NULL,
      next_attempt_at INTEGER NOT NULL, due_at INTEGER NOT NULL, lease_token TEXT, lease_until INTEGER, last_error TEXT, last_status INTEGER
    ) STRICT;
    CREATE INDEX webhook_outbox_due ON webhook_outbox (state, due_at);
    INSERT INTO webhook_outbox VALUES (1, 'evt_waiting', 'http://127.0.0.1:3000/webhook', '{}', x'7b7d', 'pending', 0, ${T0}, ${T0}, ${T0}, NULL, NULL, NULL, NULL);
    INSERT INTO webhook_outbox VALUES (2, 'evt_dead', 'http://127.0.0.1:3000/webhook', '{}', x'7b7d', 'dead', 8, ${T0}, ${T0}, ${T0}, NULL, NULL, 'upstream answer 410', 410);`)
    old.close()
    const store = outbox(path)
    expect(await store.list('dead')).toMatchObject([{ id: 'evt_dead', attempts: 8, lastError: 'upstream answer 410', lastStatus: 410 }])
    const [lease] = await store.lease(1, T0, LEASE)
    expect(lease?.message.id).toBe('evt_waiting')
    expect(await store.complete(lease!, { at: T0, duration: 5, status: 200 })).toBe(true)
    expect(await store.get('evt_waiting')).toMatchObject({ state: 'delivered', history: [{ at: T0, duration: 5, status: 200 }] })
    expect(await store.counts()).toEqual({ pending: 0, dead: 1, delivered: 1 })
  })

  it('a write that fails rejects only its own call, not the others committed in the same turn', async () => {
    const store = outbox(freshFile())
    const unserialisable = { ...message('evt_bad'), headers: { big: 1n } as unknown as Record<string, string> }
    const [first, bad, last] = await Promise.allSettled([store.enqueue(message('evt_a'), T0), store.enqueue(unserialisable, T0), store.enqueue(message('evt_b'), T0)])
    expect(first).toEqual({ status: 'fulfilled', value: 'queued' })
    expect(bad.status).toBe('rejected')
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(TypeError)
    expect(last).toEqual({ status: 'fulfilled', value: 'queued' })
    expect((await store.list('pending')).map((m) => m.id)).toEqual(['evt_a', 'evt_b'])
  })

  it('a row the database refuses rolls back alone, in its own savepoint, while the rest of the turn commits', async () => {
    const store = outbox(freshFile())
    const noTarget = { ...message('evt_bad'), target: null } as unknown as NewMessage
    const [first, bad, last] = await Promise.allSettled([store.enqueue(message('evt_a'), T0), store.enqueue(noTarget, T0), store.enqueue(message('evt_b'), T0)])
    expect(first).toEqual({ status: 'fulfilled', value: 'queued' })
    expect((bad as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' })
    expect(last).toEqual({ status: 'fulfilled', value: 'queued' })
    expect((await store.list('pending')).map((m) => m.id)).toEqual(['evt_a', 'evt_b'])
  })

  it("a file another process keeps locked fails the turn's enqueues once, after one busy timeout, not once per write", async () => {
    const path = freshFile()
    const store = sqliteOutbox({ path, busyTimeout: 100 })
    open.push(store)
    await store.list('pending')
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    try {
      const results = await Promise.allSettled([1, 2, 3, 4].map((i) => store.enqueue(message(`evt_${i}`), T0)))
      const reasons = results.map((r) => (r as PromiseRejectedResult).reason as { code?: string })
      expect(reasons.map((r) => r.code)).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY', 'SQLITE_BUSY', 'SQLITE_BUSY'])
      expect(new Set(reasons).size).toBe(1)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
  })

  it('close() commits the enqueues still waiting for the end of the turn', async () => {
    const path = freshFile()
    const store = sqliteOutbox({ path })
    const answer = store.enqueue(message('evt_late'), T0)
    await store.close()
    expect(await answer).toBe('queued')
    expect((await outbox(path).list('pending')).map((m) => m.id)).toEqual(['evt_late'])
  })

  it('two instances on one file never hold the same message at once, and one takes over what the other left', async () => {
    const path = freshFile()
    const [a, b] = [outbox(path), outbox(path)]
    for (let i = 0; i < 20; i++) await (i % 2 === 0 ? a : b).enqueue(message(`evt_${i}`), T0 + i)
    const byA = await a.lease(5, T0 + 100, LEASE)
    const byB = await b.lease(5, T0 + 100, LEASE)
    const rounds = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).lease(2, T0 + 100, LEASE)))
    const held = [byA, byB, ...rounds].flat().map((lease) => lease.message.id)
    expect(held).toHaveLength(20)
    expect(new Set(held).size).toBe(20)
    expect(byA.map((lease) => lease.message.id)).toEqual(['evt_0', 'evt_1', 'evt_2', 'evt_3', 'evt_4'])

    // A dies holding its five; B settles its own, then takes A's once their leases expire, not before.
    for (const lease of [byB, ...rounds].flat()) expect(await b.complete(lease)).toBe(true)
    await a.close()
    expect(await b.lease(20, T0 + 100 + LEASE - 1, LEASE)).toEqual([])
    const taken = await b.lease(20, T0 + 100 + LEASE, LEASE)
    expect(taken.map((lease) => [lease.message.id, lease.message.attempts])).toEqual(byA.map((lease) => [lease.message.id, 2]))
    expect(await b.complete(byA[0]!)).toBe(false)
  })

  it('two processes leasing from one file at the same time deliver every message exactly once', async () => {
    const path = freshFile()
    const seed = outbox(path)
    const ids = Array.from({ length: 300 }, (_, i) => `evt_${i}`)
    for (const id of ids) await seed.enqueue(message(id), T0)
    // Each waits for "go" so both lease at once, and yields between batches so they interleave.
    const worker = `
      import { sqliteOutbox } from '@webhook-trigger/outbox-sqlite'
      import { once } from 'node:events'
      import { setTimeout as sleep } from 'node:timers/promises'
      const outbox = sqliteOutbox({ path: process.argv[1] })
      process.stdout.write('ready\\n')
      await once(process.stdin, 'data')
      const taken = []
      for (;;) {
        const leases = await outbox.lease(3, Date.now(), 60000)
        if (leases.length === 0) break
        for (const lease of leases) {
          taken.push(lease.message.id)
          if (!(await outbox.complete(lease))) throw new Error('lost ' + lease.message.id)
        }
        await sleep(1)
      }
      await outbox.close()
      process.stdout.write(JSON.stringify(taken))
      process.stdin.destroy()`
    const workers = [startNode(['--input-type=module', '-e', worker, path]), startNode(['--input-type=module', '-e', worker, path])]
    await Promise.all(workers.map((w) => w.ready))
    for (const w of workers) w.go()
    const takes = (await Promise.all(workers.map((w) => w.done))).map((out) => JSON.parse(out.slice('ready\n'.length)) as string[])
    expect(takes.map((taken) => taken.length > 0), 'both processes took part, or this proved nothing').toEqual([true, true])
    expect(takes.flat().sort()).toEqual([...ids].sort())
    expect(await seed.list('pending')).toEqual([])
  })

  it('keeps an enqueue that resolved when the process is then killed with SIGKILL (synchronous NORMAL)', async () => {
    const path = freshFile()
    const script = `
      import { sqliteOutbox } from '@webhook-trigger/outbox-sqlite'
      const outbox = sqliteOutbox({ path: process.argv[1] })
      const answer = await outbox.enqueue({ id: 'evt_killed', target: 'http://127.0.0.1:3000/webhook', headers: { a: 'b' }, body: Buffer.from([0xff, 0x00]) }, 1)
      process.stdout.write(answer)
      process.kill(process.pid, 'SIGKILL')`
    await expect(node(['--input-type=module', '-e', script, path])).rejects.toMatchObject({ signal: 'SIGKILL', stdout: 'queued' })
    expect(existsSync(`${path}-wal`)).toBe(true)
    const [survivor] = await outbox(path).list('pending')
    expect(survivor).toMatchObject({ id: 'evt_killed', headers: { a: 'b' }, attempts: 0 })
    expect(Buffer.from(survivor!.body).equals(Buffer.from([0xff, 0x00]))).toBe(true)
  })

  it.each([
    [{ path: '' }, '"path" must name the database file'],
    [{ path: ':memory:', synchronous: 'OFF' }, '"synchronous" must be one of'],
    [{ path: ':memory:', busyTimeout: -1 }, '"busyTimeout" must be a whole number'],
    [{ path: ':memory:', busytimeout: 10 }, 'unknown option "busytimeout"; did you mean "busyTimeout"?'],
  ])('rejects %j at creation with a TypeError that names the option', (options, text) => {
    const create = () => sqliteOutbox(options as Parameters<typeof sqliteOutbox>[0])
    expect(create).toThrow(TypeError)
    expect(create).toThrow(`sqliteOutbox(): ${text}`)
  })
})

/**
 * How many bytes the WAL of `path` holds: each commit appends its pages to it,
 * and nothing here writes the ~1000 pages after which SQLite starts it over.
 */
function walSize(path: string): () => number {
  return () => statSync(`${path}-wal`).size
}

// The child processes import the built packages, as `npm test` builds them first.
function built(): void {
  if (!existsSync(join(ROOT, 'packages/outbox-sqlite/dist/index.js'))) throw new Error('build first: npx tsc -b')
}

/** Runs node to its end; rejects with the signal and output on a failure. */
function node(args: string[]): Promise<string> {
  built()
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(new Error(`node failed: ${stderr}`, { cause: error }), { signal: error.signal, stdout, stderr }))
      else resolve(stdout)
    })
  })
}

/** A second node process on the built packages. */
function startNode(args: string[]) {
  built()
  return startNodeWorker(ROOT, args)
}
