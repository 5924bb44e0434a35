import { parseArgs } from 'node:util'

export interface BenchOptions {
  /** Measured rounds per configuration, interleaved. */
  rounds: number
  /** Seconds per measured round. */
  duration: number
  /** Seconds of load before a configuration's first round. */
  warmup: number
  connections: number
  /** Body size in bytes; 0 sends the 66-byte reference payload. */
  bodySize: number
  /** Configuration names; empty runs them all. */
  only: string[]
  /** Run servers under `node --cpu-prof` and print their hottest functions. */
  profile: boolean
  /** Extra node flags for every server, e.g. `--trace-gc`. */
  nodeFlags: string[]
  /** Pin server and load generator to different cores with taskset, when possible. */
  pin: boolean
  /**
   * Core of the forwarding configurations' upstream. With autocannon (1) by
   * default: at forwarding rates autocannon leaves most of its core idle, and
   * the relay under test keeps core 0 to itself, as the receivers do.
   */
  upstreamCpu: number
}

const USAGE = `npm run bench [-- options]

  --rounds <n>         measured rounds per configuration (BENCH_ROUNDS, default 3)
  --duration <s>       seconds per round (BENCH_DURATION, default 4)
  --warmup <s>         seconds of warm-up before the first round (BENCH_WARMUP, default 2)
  --connections <n>    autocannon connections (BENCH_CONNECTIONS, default 50)
  --body-size <size>   e.g. 10k, 64k: a valid envelope grown to that size with an array of objects (BENCH_BODY_SIZE, default: the 66-byte reference)
  --only <a,b>         only these configurations, plus their peers (BENCH_ONLY)
  --profile            node --cpu-prof on every server; top functions printed (BENCH_PROFILE=1)
  --node-flags=<f>     extra node flags for every server, e.g. --node-flags=--trace-gc, or "--node-flags=--memory-reducer --trace-gc"
                       to undo the runner's --no-memory-reducer (BENCH_NODE_FLAGS)
  --no-pin             do not pin with taskset (BENCH_PIN=0)
  --upstream-cpu <n>   core of the forwarding upstream: 0 with the server, 1 with autocannon (BENCH_UPSTREAM_CPU, default 1)`

function count(name: string, value: string, min: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new TypeError(`${name} must be an integer >= ${min}, got "${value}"\n\n${USAGE}`)
  return n
}

function seconds(name: string, value: string, min: number): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n < min) throw new TypeError(`${name} must be a number of seconds >= ${min}, got "${value}"\n\n${USAGE}`)
  return n
}

/** "10k", "10kb", "1m", "2048" -> bytes. Anything else throws: a typo must not mean "the small payload". */
export function parseSize(value: string): number {
  const match = /^(\d+)\s*(k|kb|m|mb)?$/i.exec(value.trim())
  if (match === null) throw new TypeError(`--body-size must be a size such as 10k or 10240, got "${value}"`)
  const unit = (match[2] ?? '').toLowerCase()
  return Number(match[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1)
}

/** Flags win over environment variables, which win over the defaults. */
export function parseOptions(argv: readonly string[] = process.argv.slice(2), env = process.env): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'body-size': { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean' },
      'node-flags': { type: 'string' },
      'no-pin': { type: 'boolean' },
      'upstream-cpu': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help === true) {
    console.log(USAGE)
    process.exit(0)
  }
  const only = values.only ?? env.BENCH_ONLY ?? ''
  const size = values['body-size'] ?? env.BENCH_BODY_SIZE
  return {
    rounds: count('--rounds', values.rounds ?? env.BENCH_ROUNDS ?? '3', 1),
    duration: seconds('--duration', values.duration ?? env.BENCH_DURATION ?? '4', 1),
    warmup: seconds('--warmup', values.warmup ?? env.BENCH_WARMUP ?? '2', 0),
    connections: count('--connections', values.connections ?? env.BENCH_CONNECTIONS ?? '50', 1),
    bodySize: size === undefined ? 0 : parseSize(size),
    only: only.split(',').map((name) => name.trim()).filter((name) => name !== ''),
    profile: values.profile === true || env.BENCH_PROFILE === '1',
    nodeFlags: (values['node-flags'] ?? env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== ''),
    pin: values['no-pin'] !== true && env.BENCH_PIN !== '0',
    upstreamCpu: count('--upstream-cpu', values['upstream-cpu'] ?? env.BENCH_UPSTREAM_CPU ?? '1', 0),
  }
}
