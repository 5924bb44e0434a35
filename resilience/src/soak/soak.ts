import type { ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { scratchDirectory, startExample, startSink } from '../targets.js'
import { type Sample, growth } from './regression.js'

export interface SoakOptions {
  /** How long the load runs. @default 10 */
  minutes?: number
  /** How often each server's memory is sampled. @default 2000 */
  sampleMs?: number
  /** Requests per second sent to the receiver. @default 400 */
  receiverRate?: number
  /** Requests per second sent to the intermediary (each one stored, then delivered). @default 150 */
  intermediaryRate?: number
  /** Growth of RSS over the second half above which the run fails, MB per minute. @default 2 */
  maxRssMbPerMin?: number
  /** Growth of the used heap over the second half above which the run fails, MB per minute. @default 2 */
  maxHeapMbPerMin?: number
  onSample?: (server: string, sample: Sample) => void
}

export interface ServerSoak {
  server: string
  requests: number
  statuses: Record<string, number>
  /** Socket errors and timeouts seen by the load generator. */
  errors: number
  samples: Sample[]
  rssMbPerMin: number
  heapMbPerMin: number
  /** Why this server failed the soak; empty when it passed. */
  failures: string[]
}

export interface SoakReport {
  minutes: number
  servers: ServerSoak[]
  passed: boolean
}

interface LoadRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: string
}
interface LoadResult {
  errors: number
  timeouts: number
  statusCodeStats: Record<string, { count: number }>
  requests: { total: number }
}
// autocannon ships no types; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string
  connections: number
  duration: number
  overallRate: number
  requests: LoadRequest[]
}) => Promise<LoadResult>

const basic = 'Basic ' + Buffer.from('tenant123:api_token_abc123').toString('base64')
const json = { 'content-type': 'application/json' }
// Three valid requests and one refused, so the refusal path soaks too.
const RECEIVER_REQUESTS: LoadRequest[] = [
  { method: 'POST', path: '/webhook', headers: { ...json, authorization: basic }, body: '{"event":"customer_update","data":{"id":"1234","status":"active"}}' },
  { method: 'POST', path: '/webhook', headers: { ...json, authorization: 'Bearer api_token_abc123' }, body: '{"event":"customer_update","data":{"id":"5678","status":"inactive"}}' },
  { method: 'POST', path: '/webhook', headers: { ...json, authorization: basic }, body: '{"event":"invoice_paid","data":{"id":"inv_1","amount":1200}}' },
  { method: 'POST', path: '/webhook', headers: { ...json, authorization: 'Bearer wrong_token' }, body: '{"event":"customer_update","data":{}}' },
]
const INTERMEDIARY_REQUESTS: LoadRequest[] = [
  { method: 'POST', path: '/webhook', headers: { ...json, 'x-api-key': 'crm_key_123' }, body: '{"type":"contact.updated","contact":{"id":"1234","status":"active"}}' },
  { method: 'POST', path: '/webhook', headers: { ...json, 'x-api-key': 'crm_key_123' }, body: '{"type":"contact.updated","contact":{"id":"5678","status":"inactive"}}' },
  { method: 'POST', path: '/webhook', headers: { ...json, 'x-api-key': 'crm_key_123' }, body: '{"type":"contact.created","contact":{"id":"9","status":"new"}}' },
  { method: 'POST', path: '/webhook', headers: { ...json, 'x-api-key': 'wrong' }, body: '{}' },
]

function memoryOf(child: ChildProcess): Promise<{ rss: number; heapUsed: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the memory probe did not answer in 5 s')), 5000)
    child.once('message', (message: { rss: number; heapUsed: number }) => {
      clearTimeout(timer)
      resolve(message)
    })
    child.send('memory')
  })
}

/**
 * Steady load on the Express receiver example and the intermediary example
 * (SQLite outbox, delivering to a local sink) at once, each server in its
 * own process, sampling its RSS and used heap from inside. A server fails
 * when either keeps growing over the second half of the run (least-squares
 * slope above the threshold), or when the load saw a 5xx or socket errors.
 *
 * @example
 * const report = await soak({ minutes: 10 })
 */
export async function soak(options: SoakOptions = {}): Promise<SoakReport> {
  const { minutes = 10, sampleMs = 2000, receiverRate = 400, intermediaryRate = 150, maxRssMbPerMin = 2, maxHeapMbPerMin = 2 } = options
  const probe = fileURLToPath(new URL('./memory-probe.js', import.meta.url))
  const start = { nodeArgs: ['--import', probe], ipc: true }
  const scratch = scratchDirectory()
  const sink = await startSink()
  const env = { NODE_ENV: 'production' }
  const receiver = await startExample('express-receiver', 'express-receiver', env, start)
  const intermediary = await startExample('intermediary', 'intermediary', { ...env, OUTBOX_PATH: `${scratch.path}/outbox.sqlite`, TARGET_URL: sink.url }, start)
  try {
    const servers = [
      { process: receiver, requests: RECEIVER_REQUESTS, rate: receiverRate, samples: [] as Sample[] },
      { process: intermediary, requests: INTERMEDIARY_REQUESTS, rate: intermediaryRate, samples: [] as Sample[] },
    ]
    const began = Date.now()
    const sampling = setInterval(() => {
      for (const server of servers) {
        memoryOf(server.process.child).then(
          ({ rss, heapUsed }) => {
            const sample = { at: (Date.now() - began) / 1000, rss, heapUsed }
            server.samples.push(sample)
            options.onSample?.(server.process.name, sample)
          },
          () => undefined,
        )
      }
    }, sampleMs)
    const results = await Promise.all(
      servers.map((server) =>
        autocannon({
          url: `http://127.0.0.1:${server.process.port}`,
          connections: 8,
          duration: Math.round(minutes * 60),
          overallRate: server.rate,
          requests: server.requests,
        }),
      ),
    )
    clearInterval(sampling)
    const report: ServerSoak[] = servers.map((server, i) => {
      const result = results[i]!
      const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]))
      const { rssMbPerMin, heapMbPerMin } = growth(server.samples)
      const failures: string[] = []
      const crashed = server.process.crashed()
      if (crashed !== undefined) failures.push(crashed)
      if (rssMbPerMin > maxRssMbPerMin) failures.push(`RSS grew ${rssMbPerMin.toFixed(2)} MB/min over the second half (limit ${maxRssMbPerMin})`)
      if (heapMbPerMin > maxHeapMbPerMin) failures.push(`the heap grew ${heapMbPerMin.toFixed(2)} MB/min over the second half (limit ${maxHeapMbPerMin})`)
      const serverErrors = Object.entries(statuses).filter(([status]) => Number(status) >= 500)
      if (serverErrors.length > 0) failures.push(`answered ${serverErrors.map(([status, count]) => `${status} x${count}`).join(', ')}`)
      if (result.errors > 0) failures.push(`${result.errors} socket errors (${result.timeouts} timeouts)`)
      if (server.samples.length < 4) failures.push(`only ${server.samples.length} memory samples; run longer`)
      return { server: server.process.name, requests: result.requests.total, statuses, errors: result.errors, samples: server.samples, rssMbPerMin, heapMbPerMin, failures }
    })
    return { minutes, servers: report, passed: report.every((server) => server.failures.length === 0) }
  } finally {
    await receiver.stop()
    await intermediary.stop()
    await sink.close()
    scratch.remove()
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** The report as a few lines per server. */
export function formatSoak(report: SoakReport): string {
  const lines = [`soak: ${report.minutes} min, ${report.passed ? 'passed' : 'FAILED'}`]
  for (const server of report.servers) {
    const first = server.samples[0]
    const last = server.samples.at(-1)
    const peak = Math.max(...server.samples.map((s) => s.rss))
    lines.push(`  ${server.server}: ${server.requests} requests (${Object.entries(server.statuses).map(([status, count]) => `${status}=${count}`).join(' ')}), ${server.errors} errors`)
    if (first !== undefined && last !== undefined) {
      lines.push(`    RSS first ${mb(first.rss)}, last ${mb(last.rss)}, peak ${mb(peak)}; heap used first ${mb(first.heapUsed)}, last ${mb(last.heapUsed)}`)
    }
    lines.push(`    second-half growth: RSS ${server.rssMbPerMin.toFixed(2)} MB/min, heap ${server.heapMbPerMin.toFixed(2)} MB/min`)
    for (const failure of server.failures) lines.push(`    FAIL: ${failure}`)
  }
  return lines.join('\n')
}
