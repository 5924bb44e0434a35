// npm run bench: every configuration as its own server process, driven by
// autocannon over loopback in interleaved rounds. See BENCHMARKS.md, and
// `npm run bench -- --help` for the options.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Config, selectConfigs, withTargetsFor } from './configs.js'
import { PATH, REFERENCE_PAYLOAD, paddedPayload, requestHeaders, uniqueHeaderOf } from './fixture.js'
import { type Loader, startLoader } from './loader.js'
import { describeMachine } from './machine.js'
import { assertClean, describeRound, measure, probe, warmUp } from './measure.js'
import { type BenchOptions, parseOptions } from './options.js'
import { LOAD_CPU, SERVER_CPU, canPin } from './pinning.js'
import { formatProfile, summariseProfile } from './profile.js'
import type { ConfigResult } from './report.js'
import { publish } from './results.js'
import { type ServerProcess, startServer } from './server-process.js'

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const PROFILE_DIR = root('.bench/profiles')

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

/** Starts every server at once (each pinned to the server core); stops those that started if one fails. */
async function startServers(configs: readonly Config[], options: BenchOptions, cpu: number | undefined, upstream?: ServerProcess) {
  const started = await Promise.allSettled(
    configs.map((config) =>
      startServer(config.name, config.server, {
        cpu,
        env: upstream === undefined ? {} : { UPSTREAM_URL: `${upstream.origin}${PATH}` },
        nodeArgs: [
          ...options.nodeFlags,
          ...(options.profile ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', `${config.name}.cpuprofile`] : []),
        ],
      }),
    ),
  )
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const failed = started.find((result) => result.status === 'rejected')
  if (failed !== undefined) {
    await Promise.all(servers.map((server) => server.stop()))
    throw failed.reason
  }
  return new Map(servers.map((server) => [server.name, server]))
}

async function runRounds(
  configs: readonly Config[],
  servers: ReadonlyMap<string, ServerProcess>,
  loader: Loader,
  options: BenchOptions,
  body: string,
): Promise<ConfigResult[]> {
  const jobs = new Map(
    configs.map((config) => {
      const url = `${servers.get(config.name)!.origin}${PATH}`
      return [config.name, { url, connections: options.connections, duration: options.duration, headers: requestHeaders(config.credential, body), body, uniqueHeader: uniqueHeaderOf(config.credential) }]
    }),
  )
  for (const config of configs) {
    const job = jobs.get(config.name)!
    await probe(config, job.url, job.headers, job.body)
  }
  const results = configs.map((config): ConfigResult => ({ config, rounds: [], peakRssBytes: 0, peakHeapBytes: { young: 0, old: 0 } }))
  // A B C, A B C...: drift of the shared machine hits every configuration alike.
  for (let round = 1; round <= options.rounds; round++) {
    for (const result of results) {
      const { config } = result
      const server = servers.get(config.name)!
      const job = jobs.get(config.name)!
      if (round === 1 && options.warmup > 0) await warmUp(config, server, loader, { ...job, duration: options.warmup })
      const measured = await measure(server, loader, job)
      assertClean(config, measured.load, `round ${round}`)
      result.rounds.push(measured)
      log(`round ${round}/${options.rounds}  ${config.name.padEnd(22)} ${describeRound(measured)}`)
    }
  }
  for (const result of results) {
    const { maxRssBytes, peakHeapBytes } = await servers.get(result.config.name)!.stats()
    result.peakRssBytes = maxRssBytes
    result.peakHeapBytes = peakHeapBytes
  }
  return results
}

/** The upstream (when a configuration forwards), the autocannon worker and every server, pinned. */
async function startAll(configs: readonly Config[], options: BenchOptions, pinned: boolean, children: Array<{ stop(): Promise<void> }>) {
  // One upstream for every forwarding configuration; they never run at the same time.
  const upstream = configs.some((config) => config.upstream === true)
    ? await startServer('upstream', 'upstream', { cpu: pinned ? options.upstreamCpu : undefined })
    : undefined
  if (upstream !== undefined) children.push(upstream)
  const loader = await startLoader(pinned ? LOAD_CPU : undefined)
  children.push(loader)
  const servers = await startServers(configs, options, pinned ? SERVER_CPU : undefined, upstream)
  children.push(...servers.values())
  return { loader, servers }
}

async function main(): Promise<void> {
  const options = parseOptions()
  const configs = withTargetsFor(selectConfigs(options.only), options.bodySize)
  const pinned = options.pin && canPin()
  const machine = describeMachine()
  const body = options.bodySize === 0 ? REFERENCE_PAYLOAD : paddedPayload(options.bodySize)
  const minutes = Math.ceil((configs.length * (options.warmup + options.rounds * options.duration)) / 60)
  log(`${configs.length} configurations, ${Buffer.byteLength(body)}-byte body, ${options.connections} connections, warm-up ${options.warmup} s + ${options.rounds} rounds x ${options.duration} s: about ${minutes} min`)
  log(pinned ? `servers on core ${SERVER_CPU}, autocannon on core ${LOAD_CPU}, the upstream on core ${options.upstreamCpu}` : 'not pinned (no taskset, one core, or --no-pin)')
  log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage}`)
  if (options.profile) mkdirSync(PROFILE_DIR, { recursive: true })

  const children: Array<{ stop(): Promise<void> }> = []
  let results: ConfigResult[]
  try {
    const { loader, servers } = await startAll(configs, options, pinned, children)
    results = await runRounds(configs, servers, loader, options, body)
  } finally {
    // Servers exit normally on "stop", so --cpu-prof writes their profiles.
    await Promise.all(children.map((child) => child.stop()))
  }

  log(`written to ${publish(results, { options, machine, pinned, bodyBytes: Buffer.byteLength(body) })}`)
  if (options.profile) {
    for (const { config, rounds } of results) {
      const summary = summariseProfile(`${PROFILE_DIR}/${config.name}.cpuprofile`, rounds.map((round) => round.window))
      console.log(formatProfile(config.name, summary))
    }
  }
}

// `--drain` runs the drain measurement instead (drain.ts), with its own options.
if (process.argv.slice(2).includes('--drain')) {
  await import('./drain.js')
} else {
  main().catch((error: unknown) => {
    console.error(`\nbenchmark failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
}
