import { spawnSync } from 'node:child_process'
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DeliveryLog, type ForwardOptions, basic, bearer, tenants } from '@webhook-trigger/core'
import { forward as expressForward } from '@webhook-trigger/express'
import { forward as koaForward, webhook as koaWebhook } from '@webhook-trigger/koa'
import { REFERENCE_PAYLOAD, type SentAnswer, TENANT, TOKEN, basicAuth, listen, startGatedUpstream, startSenders } from '@webhook-trigger/testkit'
import Database from 'better-sqlite3'
import express5 from 'express5'
import koa3 from 'koa3'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { sqliteDeliveryLog } from './sqlite-delivery-log.js'
import { sqliteOutbox } from './sqlite-outbox.js'

/** Short, so a locked file costs the suite little: better-sqlite3 waits it out synchronously. */
const BUSY_TIMEOUT = 300
/** What an answer may take on a loaded 2-core machine, the busy timeout aside. */
const SLACK = 3000

/**
 * A real filesystem of 16 MiB (tmpfs), so the disk fills in a moment (and the WAL still fits
 * below SQLite's 4 MB checkpoint mark). Mounting
 * needs root: outside CI the tests skip with a message when it is refused;
 * with CI=true that is a failure.
 */
const disk = mkdtempSync(join(tmpdir(), 'wt-sqlite-full-'))
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', disk], { encoding: 'utf8' })
if (mounted.status !== 0) {
  const why = `mounting a tmpfs at ${disk} failed: ${(mounted.stderr || String(mounted.error)).trim()}`
  if (process.env.CI === 'true') throw new Error(`The SQLite disk-full tests need a small filesystem of their own, and CI=true needs them: ${why}`)
  console.warn(`Skipping the SQLite disk-full tests: ${why}`)
}
afterAll(() => {
  if (mounted.status === 0) spawnSync('umount', [disk])
  rmSync(disk, { recursive: true, force: true })
})

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

let files = 0
/** A database file of its own, deleted with its WAL after the test. */
function fresh(name: string): string {
  const path = join(disk, `${name}-${++files}.sqlite`)
  cleanups.unshift(() => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
  })
  return path
}

/** Fills the disk with one file until it is full; the returned function deletes it. */
function fillDisk(): () => void {
  const path = join(disk, `filler-${++files}`)
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(64 * 1024)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
  } finally {
    closeSync(fd)
  }
  return () => unlinkSync(path)
}

const request = (id: string) => ({ headers: { 'content-type': 'application/json', 'idempotency-key': id, authorization: basicAuth(TENANT, TOKEN) }, body: REFERENCE_PAYLOAD })

async function intermediary(framework: 'express' | 'koa', options: ForwardOptions): Promise<string> {
  const relay = framework === 'express' ? expressForward(options) : koaForward(options)
  let server
  if (framework === 'express') server = await listen(createServer(express5().use(relay as ReturnType<typeof expressForward>)))
  else {
    const handle = new koa3().use(relay as ReturnType<typeof koaForward>).callback()
    server = await listen(createServer((req, res) => void handle(req, res)))
  }
  cleanups.push(() => server.close(), () => relay.close())
  return server.url
}

function once(work: () => void): () => void {
  let done = false
  return () => {
    if (!done) work()
    done = true
  }
}

/** Senders keep sending through a fault: some 202s, the fault, some 503s, the fault undone, some 202s again. */
async function throughFault(url: string, fault: () => () => void): Promise<SentAnswer[]> {
  const senders = startSenders(`${url}/webhook`, { request, pause: 20 })
  try {
    await senders.seen(202, 10)
    senders.phase('fault')
    const undo = once(fault())
    // Undone after a failure too, so the next test finds a disk with room.
    cleanups.push(undo)
    // Whatever the fault brings: the assertions then say whether it was the right answer.
    await senders.seen((answer) => answer.status !== 202, 5)
    senders.phase('recovered')
    undo()
    await senders.seen(202, 10)
  } finally {
    await senders.stop()
  }
  report(answersLabel(url), senders.answers)
  return senders.answers
}

const labels = new Map<string, string>()
const answersLabel = (url: string) => labels.get(url) ?? url

function report(label: string, answers: SentAnswer[]): void {
  if (process.env.OUTAGE_REPORT === undefined) return
  const counts = new Map<number, number>()
  for (const { status } of answers) counts.set(status, (counts.get(status) ?? 0) + 1)
  const longest = Math.max(...answers.map((answer) => answer.ms))
  console.log(`${label}: ${[...counts].map(([status, count]) => `${status} x${count}`).join(' ')}, longest answer ${Math.round(longest)} ms`)
}

/** Every answer a 202 or a 503 problem naming `code`, with Retry-After, in bounded time; intake resumed by itself. */
function expectOnly202And503(answers: SentAnswer[], code: string): void {
  expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([202, 503]))
  for (const refused of answers.filter((answer) => answer.status === 503)) {
    expect(refused).toMatchObject({ contentType: 'application/problem+json', code, retryAfter: '5' })
  }
  expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(BUSY_TIMEOUT + SLACK)
  expect(answers.filter((answer) => answer.phase === 'recovered' && answer.status === 202).length).toBeGreaterThan(0)
}

describe.skipIf(mounted.status !== 0)('sqliteOutbox() when SQLite cannot write', () => {
  it.each(['express', 'koa'] as const)('%s: a full disk gets 503 outbox.unavailable, never a 500; intake resumes once space is freed, and every 202 is delivered', async (framework) => {
    const upstream = await startGatedUpstream()
    const outbox = sqliteOutbox({ path: fresh('outbox'), busyTimeout: BUSY_TIMEOUT })
    cleanups.push(() => upstream.close(), () => outbox.close())
    const url = await intermediary(framework, {
      to: `${upstream.url}/webhook`,
      auth: bearer({ token: 'x' }),
      outbox,
      // A short lease: a delivery whose settlement failed on the full disk is sent again soon after.
      delivery: { pollInterval: 50, leaseMs: 2000, retry: { delays: Array<number>(1000).fill(200) } },
    })
    labels.set(url, `${framework}, SQLite disk full`)
    // Deliveries stay pending, and keep writing, while the disk is full.
    upstream.shut()
    const answers = await throughFault(url, fillDisk)
    upstream.open()
    expectOnly202And503(answers, 'outbox.unavailable')
    const accepted = answers.filter((answer) => answer.status === 202).map((answer) => answer.id)
    await vi.waitFor(() => expect(accepted.filter((id) => !upstream.delivered.has(id))).toEqual([]), { timeout: 15_000, interval: 100 })
  }, 50_000)

  it('express: a file locked by another process beyond the busy timeout gets 503, and intake resumes once it is free', async () => {
    const upstream = await startGatedUpstream()
    const path = fresh('outbox')
    const outbox = sqliteOutbox({ path, busyTimeout: BUSY_TIMEOUT })
    const other = new Database(path)
    cleanups.push(() => upstream.close(), () => outbox.close(), () => void other.close())
    const url = await intermediary('express', { to: `${upstream.url}/webhook`, auth: bearer({ token: 'x' }), outbox, delivery: { pollInterval: 50 } })
    labels.set(url, 'express, SQLite locked')
    const answers = await throughFault(url, () => {
      other.exec('BEGIN IMMEDIATE')
      return () => other.exec('COMMIT')
    })
    expectOnly202And503(answers, 'outbox.unavailable')
    const accepted = answers.filter((answer) => answer.status === 202).map((answer) => answer.id)
    await vi.waitFor(() => expect(accepted.filter((id) => !upstream.delivered.has(id))).toEqual([]), { timeout: 15_000, interval: 100 })
  }, 50_000)

  it('koa: the dedupe log on a full disk fails closed with 503 log.unavailable, and each accepted delivery is handled exactly once', async () => {
    const log: DeliveryLog & { close(): Promise<void> } = sqliteDeliveryLog({ path: fresh('log'), busyTimeout: BUSY_TIMEOUT })
    const handled: string[] = []
    const app = new koa3().use(koaWebhook({ auth: basic(tenants({ [TENANT]: TOKEN })), dedupe: { log }, handler: (hook) => void handled.push(hook.id) }))
    const handle = app.callback()
    const server = await listen(createServer((req, res) => void handle(req, res)))
    cleanups.push(() => log.close(), () => server.close())
    labels.set(server.url, 'koa dedupe, SQLite disk full')
    const answers = await throughFault(server.url, fillDisk)
    expectOnly202And503(answers, 'log.unavailable')
    const accepted = answers.filter((answer) => answer.status === 202).map((answer) => answer.id)
    expect(handled.toSorted()).toEqual(accepted.toSorted())
  }, 50_000)
})

describe('sqliteOutbox() on a file it cannot write', () => {
  // Root writes any file, so the file is opened as another user, as a service account would.
  it.skipIf(process.geteuid?.() !== 0)('refuses it at creation with a TypeError naming "path", instead of failing every event later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-sqlite-ro-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    chmodSync(dir, 0o777)
    const path = join(dir, 'outbox.sqlite')
    await sqliteOutbox({ path }).close()
    chmodSync(path, 0o444)
    const asNobody = <T>(open: () => T): T => {
      process.seteuid!(65534)
      try {
        return open()
      } finally {
        process.seteuid!(0)
      }
    }
    expect(() => asNobody(() => sqliteOutbox({ path }))).toThrow(TypeError)
    expect(() => asNobody(() => sqliteOutbox({ path }))).toThrow(`sqliteOutbox(): "path" names a file this process cannot write (${path})`)
    expect(() => asNobody(() => sqliteDeliveryLog({ path }))).toThrow(`sqliteDeliveryLog(): "path" names a file this process cannot write`)
  })
})
