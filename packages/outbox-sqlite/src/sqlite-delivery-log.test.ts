import { describeDeliveryLogContract, startNodeWorker } from '@webhook-trigger/testkit'
import Database from 'better-sqlite3'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { sqliteDeliveryLog } from './sqlite-delivery-log.js'
import { sqliteOutbox } from './sqlite-outbox.js'

const T0 = Date.parse('2026-11-28T10:00:00Z')
const PENDING = 60_000
const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'delivery-log-sqlite-'))
let files = 0
const freshFile = () => join(dir, `log-${++files}.sqlite`)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeDeliveryLogContract("sqliteDeliveryLog({ path: ':memory:' })", () => sqliteDeliveryLog({ path: ':memory:' }))
describeDeliveryLogContract('sqliteDeliveryLog() on a WAL file', () => sqliteDeliveryLog({ path: freshFile() }))

/** The keys stored in the file, read by a connection of its own. */
function storedKeys(path: string): string[] {
  const raw = new Database(path, { readonly: true })
  try {
    return raw.prepare<[], { key: string }>('SELECT key FROM webhook_delivery_log ORDER BY key').all().map((row) => row.key)
  } finally {
    raw.close()
  }
}

describe('sqliteDeliveryLog()', () => {
  const open: { close(): Promise<void> }[] = []
  const log = (path: string) => {
    const created = sqliteDeliveryLog({ path })
    open.push(created)
    return created
  }
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close()
  })

  it('two instances on one file see each other\'s claims and settlements', async () => {
    const path = freshFile()
    const [a, b] = [log(path), log(path)]
    expect(await a.claim('std:t1:evt_1', 'h1', PENDING, T0)).toEqual({ state: 'new' })
    expect(await b.claim('std:t1:evt_1', 'h2', PENDING, T0)).toEqual({ state: 'pending', hash: 'h1' })
    await a.complete('std:t1:evt_1', 'h1', PENDING, T0 + 1)
    expect(await b.claim('std:t1:evt_1', 'h1', PENDING, T0 + 2)).toEqual({ state: 'done', hash: 'h1' })
    expect(await b.claim('std:t1:evt_2', 'h1', PENDING, T0 + 2)).toEqual({ state: 'new' })
    await b.release('std:t1:evt_2')
    expect(await a.claim('std:t1:evt_2', 'h1', PENDING, T0 + 3)).toEqual({ state: 'new' })
  })

  it('two processes claiming the same keys at the same time: exactly one hears new for each key', async () => {
    const path = freshFile()
    log(path) // creates the table before the race, as a running app would have
    const count = 1000
    // Both claim the keys in the same order after the same "go". A process pauses
    // after each key it wins, else it would hold the write lock nearly always and
    // the other, asleep in SQLite's busy handler, would win nothing; the one that
    // lost a key hurries on, so both meet again at the next and race for it.
    const worker = `
      import { sqliteDeliveryLog } from '@webhook-trigger/outbox-sqlite'
      import { once } from 'node:events'
      import { setTimeout as sleep } from 'node:timers/promises'
      const log = sqliteDeliveryLog({ path: process.argv[1] })
      process.stdout.write('ready\\n')
      await once(process.stdin, 'data')
      const answers = []
      for (let i = 0; i < ${count}; i++) {
        answers.push((await log.claim('std:t1:evt_' + i, 'h', 60000, Date.now())).state)
        if (answers[i] === 'new') await sleep(1)
      }
      await log.close()
      process.stdout.write(JSON.stringify(answers))
      process.stdin.destroy()`
    const workers = [startNode(['--input-type=module', '-e', worker, path]), startNode(['--input-type=module', '-e', worker, path])]
    await Promise.all(workers.map((w) => w.ready))
    for (const w of workers) w.go()
    const [first, second] = (await Promise.all(workers.map((w) => w.done))).map((out) => JSON.parse(out.slice('ready\n'.length)) as string[])
    const news = (answers: string[]) => answers.filter((state) => state === 'new').length
    expect([news(first!), news(second!)].map((n) => n > 0), 'both processes won keys, or this proved nothing').toEqual([true, true])
    const notOnce = first!.flatMap((answer, i) => ([answer, second![i]].sort().join() === 'new,pending' ? [] : [`std:t1:evt_${i}`]))
    expect(notOnce, 'keys not answered new exactly once').toEqual([])
  })

  it('shares a file with sqliteOutbox(), each in its own table', async () => {
    const path = freshFile()
    const outbox = sqliteOutbox({ path })
    open.push(outbox)
    const body = Buffer.from('{}')
    expect(await outbox.enqueue({ id: 'evt_1', target: 'http://127.0.0.1:3000/webhook', headers: {}, body }, T0)).toBe('queued')
    expect(await log(path).claim('std:t1:evt_1', 'h1', PENDING, T0)).toEqual({ state: 'new' })
    expect(await outbox.list('pending')).toMatchObject([{ id: 'evt_1' }])
    expect(storedKeys(path)).toEqual(['std:t1:evt_1'])
  })

  it('prunes expired rows now and then, and keeps live ones', async () => {
    const path = freshFile()
    const a = log(path)
    await a.claim('std:t1:short', 'h1', 1000, T0)
    await a.claim('std:t1:long', 'h1', PENDING, T0)
    await a.complete('std:t1:done', 'h1', 1000, T0)
    expect(storedKeys(path)).toEqual(['std:t1:done', 'std:t1:long', 'std:t1:short'])
    // The first claim pruned at T0; the next prune is due 10 s later by the callers' clock.
    await a.claim('std:t1:next', 'h1', PENDING, T0 + 5000)
    expect(storedKeys(path)).toEqual(['std:t1:done', 'std:t1:long', 'std:t1:next', 'std:t1:short'])
    await a.claim('std:t1:next', 'h1', PENDING, T0 + 10_000)
    expect(storedKeys(path)).toEqual(['std:t1:long', 'std:t1:next'])
  })

  it.each([
    [{ path: '' }, '"path" must name the database file'],
    [{ path: ':memory:', synchronous: 'OFF' }, '"synchronous" must be one of'],
    [{ path: ':memory:', busyTimeout: 1.5 }, '"busyTimeout" must be a whole number'],
    [{ pth: ':memory:' }, 'unknown option "pth"; did you mean "path"?'],
    [{ path: ':memory:', logger: console }, 'unknown option "logger"'],
  ])('rejects %j at creation with a TypeError that names the option', (options, text) => {
    const create = () => sqliteDeliveryLog(options as Parameters<typeof sqliteDeliveryLog>[0])
    expect(create).toThrow(TypeError)
    expect(create).toThrow(`sqliteDeliveryLog(): ${text}`)
  })
})

/** A second node process on the built packages. */
function startNode(args: string[]) {
  if (!existsSync(join(ROOT, 'packages/outbox-sqlite/dist/index.js'))) throw new Error('build first: npx tsc -b')
  return startNodeWorker(ROOT, args)
}
