// The part of autocannon 9's programmatic API the load worker uses; the
// package ships no types.
declare module 'autocannon' {
  interface Options {
    url: string
    connections?: number
    /** Seconds. */
    duration?: number
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer
    /** Seconds before a request counts as a timeout. */
    timeout?: number
  }

  interface Histogram {
    average: number
    mean: number
    p50: number
    p99: number
    total: number
  }

  interface Result {
    /** Seconds actually run. */
    duration: number
    /** Socket errors, timeouts included. */
    errors: number
    timeouts: number
    non2xx: number
    statusCodeStats: Record<string, { count: number }>
    /** Milliseconds. */
    latency: Histogram
    /** Per-second samples; `total` is every completed request. */
    requests: Histogram
  }

  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
