/** One memory sample of a server: seconds since the load began, and bytes. */
export interface Sample {
  at: number
  rss: number
  heapUsed: number
}

/**
 * The least-squares slope of `y` over `x`, in y-units per x-unit: how fast a
 * series grows once its noise (a GC sawtooth) is averaged out.
 *
 * @example
 * slope([0, 1, 2], [10, 12, 14]) // 2
 */
export function slope(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length)
  if (n < 2) return 0
  let sx = 0
  let sy = 0
  for (let i = 0; i < n; i++) {
    sx += x[i]!
    sy += y[i]!
  }
  const mx = sx / n
  const my = sy / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += (x[i]! - mx) * (y[i]! - my)
    den += (x[i]! - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

const MB = 1024 * 1024

/**
 * Growth over the second half of a run, in MB per minute, for RSS and heap.
 * The first half is warm-up: JIT, pools, caches and the heap settle there.
 */
export function growth(samples: readonly Sample[]): { rssMbPerMin: number; heapMbPerMin: number } {
  const half = samples.slice(Math.floor(samples.length / 2))
  const minutes = half.map((s) => s.at / 60)
  return {
    rssMbPerMin: slope(minutes, half.map((s) => s.rss / MB)),
    heapMbPerMin: slope(minutes, half.map((s) => s.heapUsed / MB)),
  }
}
