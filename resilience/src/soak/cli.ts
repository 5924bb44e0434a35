import { parseArgs } from 'node:util'
import { formatSoak, soak } from './soak.js'

const usage = `npm run soak -- [--minutes 10] [--sample-seconds 2] [--receiver-rate 400] [--intermediary-rate 150]
                    [--max-rss-mb-per-min 2] [--max-heap-mb-per-min 2] [--json]

Steady load (autocannon) on the Express receiver example and the intermediary
example at once, each in its own process, sampling RSS and used heap. Fails
(exit 1) when either keeps growing over the second half of the run, or on a
5xx or socket errors.`

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'sample-seconds': { type: 'string', default: '2' },
    'receiver-rate': { type: 'string', default: '400' },
    'intermediary-rate': { type: 'string', default: '150' },
    'max-rss-mb-per-min': { type: 'string', default: '2' },
    'max-heap-mb-per-min': { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const positive = (name: keyof typeof values) => {
  const parsed = Number(values[name])
  if (!Number.isFinite(parsed) || parsed <= 0) {
    console.error(`soak: --${name} must be a positive number, got ${String(values[name])}\n\n${usage}`)
    process.exit(2)
  }
  return parsed
}

const report = await soak({
  minutes: positive('minutes'),
  sampleMs: positive('sample-seconds') * 1000,
  receiverRate: positive('receiver-rate'),
  intermediaryRate: positive('intermediary-rate'),
  maxRssMbPerMin: positive('max-rss-mb-per-min'),
  maxHeapMbPerMin: positive('max-heap-mb-per-min'),
  onSample: (server, { at, rss, heapUsed }) => console.error(`... ${server} ${Math.round(at)} s: RSS ${(rss / 1048576).toFixed(1)} MB, heap ${(heapUsed / 1048576).toFixed(1)} MB`),
})
console.log(values.json ? JSON.stringify(report, null, 2) : formatSoak(report))
process.exitCode = report.passed ? 0 : 1
