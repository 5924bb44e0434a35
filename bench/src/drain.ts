// npm run bench:drain (or npm run bench -- --drain): each intermediary drains
// N events, from the first send to the last arrival upstream, in one run,
// interleaved. See BENCHMARKS.md, "Drain: events delivered per second".
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Queue } from 'bullmq'
import { type DrainConfig, selectDrainConfigs } from './drain-configs.js'
import type { DrainJob, FromSender, FromUpstream, SendResult, ToSender } from './drain-protocol.js'
import { type DrainRow, checksTable, drainChecks, drainRow, drainTable } from './drain-report.js'
import { PATH, REFERENCE_PAYLOAD, requestHeaders } from './fixture.js'
import { exited, nextMessage } from './ipc.js'
import { describeMachine } from './machine.js'
import { LOAD_CPU, SERVER_CPU, canPin, nodeCommand } from './pinning.js'
import { formatProfile, summariseProfile } from './profile.js'
import { type ServerProcess, startServer } from './server-process.js'

const USAGE = `npm run bench:drain [-- options]   (also: npm run bench -- --drain [options])

  --n <count>          events per configuration (BENCH_DRAIN_N, default 40000)
  --warm <count>       events drained first, not measured (default 2000)
  --connections <n>    sender connections (BENCH_CONNECTIONS, default 50)
  --only <a,b>         only these configurations (BENCH_ONLY)
  --redis <url>        Redis of the BullMQ peer and the Redis outbox, used under a key
                       prefix per process and emptied after (BENCH_REDIS_URL, default redis://127.0.0.1:6379)
  --profile            node --cpu-prof on every server; hottest functions printed
  --no-pin             do not pin with taskset`

interface DrainOptions {
  n: number
  warm: number
  connections: number
  only: string[]
  redis: string
  profile: boolean
  pin: boolean
}

function parse(argv = process.argv.slice(2), env = process.env): DrainOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--drain'),
    options: {
      n: { type: 'string' },
      warm: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      redis: { type: 'string' },
      profile: { type: 'boolean' },
      'no-pin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help === true) {
    console.log(USAGE)
    process.exit(0)
  }
  const count = (name: string, value: string, min: number) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min) throw new TypeError(`${name} must be an integer >= ${min}, got "${value}"\n\n${USAGE}`)
    return n
  }
  return {
    n: count('--n', values.n ?? env.BENCH_DRAIN_N ?? '40000', 1),
    warm: count('--warm', values.warm ?? '2000', 0),
    connections: count('--connections', values.connections ?? env.BENCH_CONNECTIONS ?? '50', 1),
    only: (values.only ?? env.BENCH_ONLY ?? '').split(',').map((name) => name.trim()).filter((name) => name !== ''),
    redis: values.redis ?? env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    profile: values.profile === true,
    pin: values['no-pin'] !== true && env.BENCH_PIN !== '0',
  }
}

const PROFILE_DIR = fileURLToPath(new URL('../../.bench/profiles', import.meta.url))
const log = (line: string) => process.stderr.write(`${line}\n`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function startSender(cpu: number | undefined) {
  const [command, args] = nodeCommand(cpu, [fileURLToPath(new URL('./drain-sender.js', import.meta.url))])
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  await nextMessage<FromSender, 'ready'>(child, 'ready', 'the drain sender', 30_000)
  return {
    async send(job: DrainJob): Promise<SendResult> {
      const done = nextMessage<FromSender, 'sent'>(child, 'sent', 'the drain sender', 600_000)
      child.send({ type: 'send', job } satisfies ToSender)
      const { outcome } = await done
      if (!outcome.ok) throw new Error(`the sender failed against ${job.url}: ${outcome.message}`)
      return outcome.result
    },
    async stop() {
      child.disconnect()
      await exited(child)
    },
  }
}

type Sender = Awaited<ReturnType<typeof startSender>>

const arrivalsOf = async (upstream: ServerProcess, times: boolean) =>
  (await upstream.ask<FromUpstream>({ type: 'arrivals', times }, 'arrivals')).arrivals

/** Waits until every accepted event arrived, or none arrived for `quietMs`. */
async function settle(upstream: ServerProcess, accepted: number, quietMs = 15_000): Promise<void> {
  let seen = -1
  let since = Date.now()
  for (;;) {
    const { once, duplicated } = await arrivalsOf(upstream, false)
    if (once + duplicated >= accepted) return
    if (once + duplicated !== seen) [seen, since] = [once + duplicated, Date.now()]
    else if (Date.now() - since > quietMs) return
    await sleep(100)
  }
}

/** Sends `n` events keyed `${prefix}${i}` and waits for them upstream. */
async function drain(config: DrainConfig, server: ServerProcess, upstream: ServerProcess, sender: Sender, prefix: string, n: number, connections: number) {
  await upstream.ask<FromUpstream>({ type: 'count', prefix, n }, 'arrivals')
  const body = REFERENCE_PAYLOAD
  const sent = await sender.send({ url: `${server.origin}${PATH}`, n, prefix, connections, headers: requestHeaders(config.credential, body), body })
  if (!config.delivers) return { sent, arrivals: undefined }
  await settle(upstream, sent.acceptedAt.length)
  // A moment longer: a duplicate sent after the last first arrival still counts against the run.
  await sleep(500)
  return { sent, arrivals: await arrivalsOf(upstream, true) }
}

/** Empties what a Redis configuration left under its prefix. */
async function cleanRedis(url: string, pid: number): Promise<void> {
  for (const name of ['events', 'webhook-trigger']) {
    const queue = new Queue(name, { connection: { url }, prefix: `bench-drain-${pid}` })
    await queue.obliterate({ force: true }).catch(() => undefined)
    await queue.close()
  }
}

async function measureOne(config: DrainConfig, options: DrainOptions, pinned: boolean, upstream: ServerProcess, sender: Sender): Promise<[DrainRow, string | undefined]> {
  const profileName = `drain-${config.name}-${Date.now()}.cpuprofile`
  const server = await startServer(config.name, config.server, {
    cpu: pinned ? SERVER_CPU : undefined,
    env: { UPSTREAM_URL: `${upstream.origin}${PATH}`, REDIS_URL: options.redis },
    nodeArgs: options.profile ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', profileName] : [],
  })
  try {
    if (options.warm > 0) await drain(config, server, upstream, sender, `warm-${config.name}-`, options.warm, options.connections)
    const before = await server.stats()
    const { sent, arrivals } = await drain(config, server, upstream, sender, `drain-${config.name}-`, options.n, options.connections)
    const after = await server.stats()
    const row = drainRow(config, options.n, sent, arrivals, { rssBytes: after.maxRssBytes, heapBytes: after.peakHeapBytes }, after.cpuMicros - before.cpuMicros)
    const window = `${sent.firstSendAt * 1000}:${(arrivals?.lastAt ?? sent.lastAnswerAt) * 1000}`
    return [row, options.profile ? `${PROFILE_DIR}/${profileName}#${window}` : undefined]
  } finally {
    await server.stop()
    if (config.redis === true) await cleanRedis(options.redis, server.pid)
  }
}

async function main(): Promise<void> {
  const options = parse()
  const configs = selectDrainConfigs(options.only)
  const pinned = options.pin && canPin()
  const machine = describeMachine()
  log(`drain: ${configs.length} configurations, ${options.n} events each (+${options.warm} warm-up), ${options.connections} connections`)
  log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage}`)
  if (options.profile) mkdirSync(PROFILE_DIR, { recursive: true })
  if (configs.some((config) => config.redis === true)) {
    const probe = new Queue('probe', { connection: { url: options.redis, maxRetriesPerRequest: 1 } })
    await probe.waitUntilReady().catch((error: unknown) => {
      throw new Error(`Redis at ${options.redis} is not reachable (${String(error)}): start one, or pass --redis <url>`)
    })
    await probe.close()
  }

  const upstream = await startServer('upstream', 'counting-upstream', { cpu: pinned ? LOAD_CPU : undefined })
  const sender = await startSender(pinned ? LOAD_CPU : undefined)
  const rows: DrainRow[] = []
  const profiles: Array<[string, string]> = []
  try {
    for (const config of configs) {
      const [row, profile] = await measureOne(config, options, pinned, upstream, sender)
      rows.push(row)
      if (profile !== undefined) profiles.push([config.name, profile])
      log(`${config.name.padEnd(20)} ${row.deliveredPerSecond?.toFixed(0) ?? '-'} delivered/s, ${row.acceptedPerSecond.toFixed(0)} 202/s, p99 ${row.p99Ms.toFixed(1)} ms, backlog ${row.peakBacklog ?? '-'}, RSS ${row.peakRssMb.toFixed(0)} MB${row.exact ? '' : `, ${row.problems.join('; ')}`}`)
    }
  } finally {
    await Promise.all([sender.stop(), upstream.stop()])
  }

  const checks = drainChecks(rows)
  const loadAtEnd = describeMachine().loadAverage
  console.log(['', drainTable(rows), '', checksTable(checks), '', `load average ${machine.loadAverage} at start, ${loadAtEnd} at end; pinned: ${pinned}`, ''].join('\n'))
  const file = fileURLToPath(new URL('../results/drain-latest.json', import.meta.url))
  mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true })
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), options, machine: { ...machine, loadAverageAtEnd: loadAtEnd }, pinned, rows, checks }, null, 2)}\n`)
  log(`written to ${file}`)
  for (const [name, where] of profiles) {
    const [path, window] = where.split('#') as [string, string]
    const [from, to] = window.split(':').map(Number) as [number, number]
    console.log(formatProfile(name, summariseProfile(path, [[from, to]])))
  }
  if (rows.some((row) => !row.exact)) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(`\ndrain benchmark failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
