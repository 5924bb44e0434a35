import { parseArgs } from 'node:util'
import { formatReport, fuzz } from './fuzz.js'

const usage = `npm run fuzz -- [--requests 100000] [--seed 1] [--concurrency 64] [--minutes N] [--json]

Sends seeded, mutated requests over raw sockets to the Express receiver
example and the intermediary example (built dist/, each in its own process)
and counts every status. Exits 1 on any 5xx, hang (no answer or close in
35 s, above the servers' own 30 s request timeout) or crash.`

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '64' },
    minutes: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const number = (name: string, value: string | undefined) => {
  const parsed = Number(value)
  if (!Number.isSafeInteger(parsed) || parsed < 0) {
    console.error(`fuzz: --${name} must be a whole number, got ${value}\n\n${usage}`)
    process.exit(2)
  }
  return parsed
}

const report = await fuzz({
  seed: number('seed', values.seed),
  requests: number('requests', values.requests),
  concurrency: Math.max(1, number('concurrency', values.concurrency)),
  ...(values.minutes !== undefined && { maxDurationMs: Number(values.minutes) * 60_000 }),
  onProgress: (so) => console.error(`... ${so.sent} sent, ${Math.round(so.durationMs / 1000)} s, ${so.failures.length} failure(s)`),
})
console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report))
process.exitCode = report.failures.length === 0 && report.crashes.length === 0 ? 0 : 1
