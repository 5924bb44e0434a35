/**
 * What recording every delivery attempt costs the SQLite outbox, in events per
 * second through enqueue + lease + complete, on a WAL file in a temp folder.
 *
 *   npm run bench:attempts [-- --events 20000 --rounds 5 --baseline path/to/outbox-sqlite/dist/index.js]
 *
 * A: recording off (`maxDelivered: 0`, `complete(lease)`): the delivered row is
 *    deleted, no attempt row, as before attempts were recorded.
 * B: recording on (defaults, `complete(lease, attempt)`): the row is kept as
 *    delivered and one attempt row is written.
 * B0: the row kept as delivered, no attempt row: splits B's cost between the two.
 * With --baseline, C: another build of sqliteOutbox (e.g. main's), `complete(lease)`.
 * The variants take turns within each round, so drift in the machine hits them alike.
 */
import type { Attempt, Outbox } from '@webhook-trigger/core'
import { sqliteOutbox } from '@webhook-trigger/outbox-sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' }, baseline: { type: 'string' } },
})
const EVENTS = Number(values.events)
const ROUNDS = Number(values.rounds)
/** Events queued per turn of the event loop and leased per call, as a deliverer under load does. */
const BATCH = 64
const BODY = Buffer.from('{"event":"customer_update","data":{"id":"1234","status":"active"}}')
const HEADERS = { 'content-type': 'application/json', 'x-forwarded-for': '127.0.0.1' }

type Variant = { name: string; open: (path: string) => Outbox; record: boolean }

async function run(variant: Variant, dir: string, round: number): Promise<number> {
  const outbox = variant.open(join(dir, `${variant.name.replace(/\W+/g, '-')}-${round}.sqlite`))
  const now = Date.now()
  const started = performance.now()
  for (let i = 0; i < EVENTS; i += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, j) => `evt_${round}_${i + j}`)
    await Promise.all(ids.map((id) => outbox.enqueue({ id, target: 'http://127.0.0.1:3000/webhook', headers: HEADERS, body: BODY, event: 'customer_update', tenant: 'tenant123' }, now)))
    const leases = await outbox.lease(ids.length, now, 30_000)
    const attempt: Attempt = { at: now, duration: 2, status: 202, response: '{"accepted":true}' }
    await Promise.all(leases.map((lease) => (variant.record ? outbox.complete(lease, attempt) : outbox.complete(lease))))
  }
  const seconds = (performance.now() - started) / 1000
  await outbox.close()
  return EVENTS / seconds
}

const variants: Variant[] = [
  { name: 'A recording off', open: (path) => sqliteOutbox({ path, maxDelivered: 0 }), record: false },
  { name: 'B recording on', open: (path) => sqliteOutbox({ path }), record: true },
  { name: 'B0 kept, no attempt', open: (path) => sqliteOutbox({ path }), record: false },
]
if (values.baseline !== undefined) {
  const baseline = (await import(pathToFileURL(values.baseline).href)) as { sqliteOutbox: (options: { path: string }) => Outbox }
  variants.push({ name: 'C baseline build', open: (path) => baseline.sqliteOutbox({ path }), record: false })
}

const dir = mkdtempSync(join(tmpdir(), 'bench-attempts-'))
const rates = new Map<string, number[]>(variants.map((v) => [v.name, []]))
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order each round: neither variant always runs first.
    const order = round % 2 === 0 ? variants : [...variants].reverse()
    for (const variant of order) rates.get(variant.name)!.push(await run(variant, dir, round))
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`SQLite outbox, ${EVENTS} events x ${ROUNDS} rounds, enqueue + lease + complete in batches of ${BATCH} (events/s)`)
for (const [name, xs] of rates) console.log(`${name.padEnd(20)} median ${median(xs).toFixed(0).padStart(7)}   runs ${xs.map((x) => x.toFixed(0)).join(' ')}`)
const off = median(rates.get('A recording off')!)
const on = median(rates.get('B recording on')!)
console.log(`recording on / off: ${(on / off).toFixed(3)}`)
