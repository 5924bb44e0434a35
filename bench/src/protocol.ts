// Messages over the IPC channel between the runner and its child processes.
// Control traffic never touches the HTTP port being measured.

/** What a server reports about itself, read before and after every round. */
export interface ServerStats {
  /** User + system CPU time of the whole process, in microseconds (`process.cpuUsage()`). */
  cpuMicros: number
  /** Peak resident set size since the process started, in bytes. */
  maxRssBytes: number
  /**
   * Peak bytes V8 committed for its young generation (new space) and for
   * everything else it manages (old, code, large objects), sampled every
   * 100 ms: what of the peak RSS is JavaScript heap, and which part.
   */
  peakHeapBytes: { young: number; old: number }
  /** Work accepted but not finished, e.g. events still in an outbox; 0 for most servers. */
  pending: number
}

export type ToServer = { type: 'stats' } | { type: 'stop' }
export type FromServer = { type: 'ready'; port: number } | ({ type: 'stats' } & ServerStats)

/** One autocannon run, as the load worker receives it. */
export interface LoadJob {
  url: string
  connections: number
  /** Seconds. */
  duration: number
  headers: Record<string, string>
  body: string
  /** A header given a fresh value on every request, e.g. a delivery id that replay protection would otherwise refuse as seen. */
  uniqueHeader?: string
}

/** One autocannon run, as the load worker reports it. */
export interface LoadResult {
  /** Completed requests (any status). */
  requests: number
  /** Seconds actually run. */
  seconds: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  /** Socket errors and timeouts. */
  errors: number
  /** Count per status code, to say what went wrong when non2xx > 0. */
  statusCodes: Record<string, number>
  /** CPU time autocannon itself used, in microseconds: near seconds x 1e6, the load generator was the limit. */
  loaderCpuMicros: number
}

export type ToLoader = { type: 'run'; job: LoadJob }
export type FromLoader =
  | { type: 'ready' }
  | { type: 'done'; outcome: { ok: true; result: LoadResult } | { ok: false; message: string } }
