import autocannon from 'autocannon'
import type { FromLoader, LoadJob, LoadResult, ToLoader } from './protocol.js'

// The load generator: a long-lived child process, pinned to its own core by
// the runner, that runs one autocannon job per message. Keeping it alive
// avoids paying autocannon's start-up before every round.

let sequence = 0

/** Gives `name` a new value per request; the peer and ours are sent the same, so both pay the same. */
function unique(name: string) {
  return (request: { headers?: Record<string, string> }) => {
    request.headers = { ...request.headers, [name]: `bench-${process.pid}-${++sequence}` }
    return request
  }
}

async function run(job: LoadJob): Promise<LoadResult> {
  const cpu = process.cpuUsage()
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    method: 'POST',
    headers: job.headers,
    body: job.body,
    ...(job.uniqueHeader === undefined ? {} : { requests: [{ setupRequest: unique(job.uniqueHeader) }] }),
  })
  const statusCodes: Record<string, number> = {}
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count
  const { user, system } = process.cpuUsage(cpu)
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes,
    loaderCpuMicros: user + system,
  }
}

function send(message: FromLoader): void {
  process.send!(message)
}

process.on('message', (message: ToLoader) => {
  run(message.job).then(
    (result) => send({ type: 'done', outcome: { ok: true, result } }),
    (error: unknown) => send({ type: 'done', outcome: { ok: false, message: String(error) } }),
  )
})
process.on('disconnect', () => process.exit(0))
send({ type: 'ready' })
