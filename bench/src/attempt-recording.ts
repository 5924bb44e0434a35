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
 * With --deliver, each run is the whole delivery instead: the events queued, then
 * sent by the deliverer (32 at once) to a local upstream answering 202, timed until
 * the last is delivered; the deliverer records attempts whatever the variant, so A
 * keeps none only because `maxDelivered: 0` deletes on delivery.
 * The variants take turns within each round, so drift in the machine hits them alike.
 */
import { type Attempt, type Outbox, createDeliverer, createForwarder } from '@webhook-trigger/core'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sqliteOutbox } from '@webhook-trigger/outbox-sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    baseline: { type: 'string' },
    deliver: { type: 'boolean', default: false },
  },
})
const EVENTS = Number(values.events)
const ROUNDS = Number(values.rounds)
/** Events queued per turn of the event loop and leased per call, as a deliverer under load does. */
const BATCH = 64
const BODY = Buffer.from('{"event":"customer_update","data":{"id":"1234","status":"active"}}')
const HEADERS = { 'content-type': 'application/json', 'x-forwarded-for': '127.0.0.1' }

type Variant = { name: string; open: (path: string) => Outbox; record: boolean }

async function churn(variant: Variant, dir: string, round: number): Promise<number> {
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


/** A local upstream answering 202 at once, on a keep-alive socket. */
const upstream = createServer((req, res) => {
  req.resume()
  req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}'))
})
if (values.deliver) await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))

async function deliver(variant: Variant, dir: string, round: number): Promise<number> {
  const outbox = variant.open(join(dir, `${variant.name.replace(/\W+/g, '-')}-${round}.sqlite`))
  const forwarder = createForwarder({ to: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/webhook` })
  let delivered = 0
  let done: () => void = () => undefined
  const all = new Promise<void>((resolve) => (done = resolve))
  const deliverer = createDeliverer(outbox, forwarder, {
    concurrency: 32,
    highWaterMark: Infinity,
    onEvent: (event) => void (event.type === 'delivered' && ++delivered === EVENTS && done()),
  })
  const now = Date.now()
  for (let i = 0; i < EVENTS; i += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, j) => `evt_${round}_${i + j}`)
    await Promise.all(ids.map((id) => outbox.enqueue({ id, target: 'http://127.0.0.1/', headers: HEADERS, body: BODY, event: 'customer_update', tenant: 'tenant123' }, now)))
  }
  const started = performance.now()
  deliverer.start()
  deliverer.wake()
  await all
  const seconds = (performance.now() - started) / 1000
  await deliverer.close()
  await forwarder.close()
  await outbox.close()
  return EVENTS / seconds
}

const run = values.deliver ? deliver : churn

const variants: Variant[] = [
  { name: 'A recording off', open: (path) => sqliteOutbox({ path, maxDelivered: 0 }), record: false },
  { name: 'B recording on', open: (path) => sqliteOutbox({ path }), record: true },
]
// The deliverer always hands over the attempt: B0 would be B again.
if (!values.deliver) variants.push({ name: 'B0 kept, no attempt', open: (path) => sqliteOutbox({ path }), record: false })
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
  upstream.close()
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  values.deliver
    ? `SQLite outbox, ${EVENTS} events x ${ROUNDS} rounds, delivered to a local upstream by the deliverer, 32 at once (events/s)`
    : `SQLite outbox, ${EVENTS} events x ${ROUNDS} rounds, enqueue + lease + complete in batches of ${BATCH} (events/s)`,
)
for (const [name, xs] of rates) console.log(`${name.padEnd(20)} median ${median(xs).toFixed(0).padStart(7)}   runs ${xs.map((x) => x.toFixed(0)).join(' ')}`)
// Paired by round: each ratio compares runs made moments apart, so load from elsewhere cancels out better than in the medians.
const off = rates.get('A recording off')!
for (const [name, xs] of rates) {
  if (name === 'A recording off') continue
  console.log(`${name} / A, per round: median ${median(xs.map((x, i) => x / off[i]!)).toFixed(3)}`)
}
