import { readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// Reads a `node --cpu-prof` profile and says where the server spent its time
// during the measured rounds, mapped back to the TypeScript sources through
// the source maps.

interface CallFrame {
  functionName: string
  url: string
  /** 0-based */
  lineNumber: number
  columnNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  /** Microseconds on the monotonic clock that process.hrtime() reads too. */
  startTime: number
  samples: number[]
  /** Microseconds since the previous sample. */
  timeDeltas: number[]
}

export interface HotFunction {
  name: string
  /** `packages/core/src/…ts:LINE` when a source map knows, else the JS location. */
  where: string
  /** Share of the busy time. */
  share: number
}

export interface ProfileSummary {
  /** Milliseconds the process was busy (not idle) during the windows. */
  busyMs: number
  /** By self time: where the CPU actually was. */
  top: HotFunction[]
  /** Our packages' functions by inclusive time: what each costs with everything it calls. */
  ours: HotFunction[]
  /** Share of busy time per origin: one of our packages, a dependency, Node itself, GC. */
  byOrigin: Array<{ origin: string; share: number }>
}

/** A span of the monotonic clock, in microseconds, e.g. one measured round. */
export type Window = readonly [start: number, end: number]

/** Monotonic microseconds, the clock of V8's profile timestamps. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

const IDLE = new Set(['(idle)', '(program)'])
const maps = new Map<string, SourceMap | undefined>()
const root = fileURLToPath(new URL('../../', import.meta.url))

function sourceMapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    try {
      maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]))
    } catch {
      maps.set(file, undefined)
    }
  }
  return maps.get(file)
}

function locate(frame: CallFrame): string {
  if (!frame.url.startsWith('file://')) return frame.url === '' ? '(native)' : frame.url
  const file = fileURLToPath(frame.url)
  const entry = sourceMapOf(file)?.findEntry(frame.lineNumber, frame.columnNumber)
  if (entry !== undefined && 'originalSource' in entry) {
    // tsc writes sources relative to the map file.
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource)
    return `${relative(root, source)}:${entry.originalLine + 1}`
  }
  return `${relative(root, file)}:${frame.lineNumber + 1}`
}

function originOf(frame: CallFrame): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  if (frame.url.startsWith('node:')) return 'node internals'
  const ours = /\/packages\/([^/]+)\//.exec(frame.url)
  if (ours !== null && !frame.url.includes('/node_modules/')) return `@webhook-trigger/${ours[1]}`
  const dependency = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(frame.url.slice(frame.url.lastIndexOf('/node_modules/')))
  if (dependency !== null) return dependency[1]!
  return 'bench'
}

/** Self time per profile node, counting only samples inside `windows`. */
function selfTimes(profile: CpuProfile, windows: readonly Window[]): Map<number, number> {
  const self = new Map<number, number>()
  let time = profile.startTime
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    time += delta
    if (windows.some(([start, end]) => time >= start && time <= end)) self.set(id, (self.get(id) ?? 0) + delta)
  })
  return self
}

const keyOf = (frame: CallFrame) => `${frame.functionName}@${frame.url}:${frame.lineNumber}:${frame.columnNumber}`

function ranked(times: Map<string, { frame: CallFrame; micros: number }>, busy: number, top: number): HotFunction[] {
  return [...times.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top)
    .map(({ frame, micros }) => ({ name: frame.functionName || '(anonymous)', where: locate(frame), share: micros / busy }))
}

/**
 * Where the time went during `windows` only, so start-up, module loading and
 * warm-up do not crowd out the steady state being measured.
 */
export function summariseProfile(path: string, windows: readonly Window[], top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)

  const self = new Map<string, { frame: CallFrame; micros: number }>()
  const inclusive = new Map<string, { frame: CallFrame; micros: number }>()
  const byOrigin = new Map<string, number>()
  const add = (into: typeof self, frame: CallFrame, micros: number) => {
    const entry = into.get(keyOf(frame)) ?? { frame, micros: 0 }
    entry.micros += micros
    into.set(keyOf(frame), entry)
  }
  let busy = 0
  for (const [id, micros] of selfTimes(profile, windows)) {
    const frame = nodes.get(id)!.callFrame
    if (IDLE.has(frame.functionName)) continue
    busy += micros
    add(self, frame, micros)
    byOrigin.set(originOf(frame), (byOrigin.get(originOf(frame)) ?? 0) + micros)
    // Each of our functions on the stack gets the sample once, even when recursive.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const caller = nodes.get(at)!.callFrame
      if (!originOf(caller).startsWith('@webhook-trigger/') || seen.has(keyOf(caller))) continue
      seen.add(keyOf(caller))
      add(inclusive, caller, micros)
    }
  }
  return {
    busyMs: busy / 1000,
    top: ranked(self, busy, top),
    ours: ranked(inclusive, busy, top),
    byOrigin: [...byOrigin.entries()].sort((a, b) => b[1] - a[1]).map(([origin, micros]) => ({ origin, share: micros / busy })),
  }
}

export function formatProfile(name: string, summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`
  const list = (functions: HotFunction[]) => functions.map(({ name, where, share }) => `  ${pct(share)}  ${name}  ${where}`)
  return [
    `### ${name}: ${Math.round(summary.busyMs)} ms busy during the measured rounds`,
    '',
    'self time by origin:',
    ...summary.byOrigin.slice(0, 12).map(({ origin, share }) => `  ${pct(share)}  ${origin}`),
    '',
    'top functions by self time:',
    ...list(summary.top),
    ...(summary.ours.length === 0 ? [] : ['', 'our functions by inclusive time (with what they call):', ...list(summary.ours)]),
    '',
  ].join('\n')
}
