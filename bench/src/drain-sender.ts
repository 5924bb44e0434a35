import { Pool } from 'undici'
import type { DrainJob, FromSender, SendResult, ToSender } from './drain-protocol.js'

// The drain's sender: a long-lived child process on its own core that sends
// N events over a fixed number of keep-alive connections, each as soon as the
// connection's previous answer arrived, and notes when each 202 came back.

const now = () => Number(process.hrtime.bigint()) / 1e6

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!
}

async function send(job: DrainJob): Promise<SendResult> {
  const cpu = process.cpuUsage()
  const { origin, pathname } = new URL(job.url)
  const pool = new Pool(origin, { connections: job.connections, pipelining: 1 })
  const latencies = new Float64Array(job.n)
  const acceptedAt: number[] = []
  const statusCodes: Record<string, number> = {}
  let next = 0
  let errors = 0
  let non202 = 0
  const firstSendAt = now()
  let lastAnswerAt = firstSendAt

  async function connection(): Promise<void> {
    while (next < job.n) {
      const i = next++
      const started = now()
      try {
        const { statusCode, body } = await pool.request({
          path: pathname,
          method: 'POST',
          headers: { ...job.headers, 'idempotency-key': `${job.prefix}${i}` },
          body: job.body,
        })
        await body.dump()
        lastAnswerAt = now()
        latencies[i] = lastAnswerAt - started
        if (statusCode === 202) acceptedAt.push(lastAnswerAt)
        else {
          non202++
          statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1
        }
      } catch {
        errors++
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: job.connections }, connection))
  } finally {
    await pool.close()
  }
  latencies.sort()
  const { user, system } = process.cpuUsage(cpu)
  return {
    firstSendAt,
    lastAnswerAt,
    acceptedAt,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    statusCodes,
    non202,
    errors,
    senderCpuMicros: user + system,
  }
}

function reply(message: FromSender): void {
  process.send!(message)
}

process.on('message', (message: ToSender) => {
  send(message.job).then(
    (result) => reply({ type: 'sent', outcome: { ok: true, result } }),
    (error: unknown) => reply({ type: 'sent', outcome: { ok: false, message: String(error) } }),
  )
})
process.on('disconnect', () => process.exit(0))
reply({ type: 'ready' })
