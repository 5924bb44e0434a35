import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getHeapSpaceStatistics } from 'node:v8'
import type { FromServer, ToServer } from '../protocol.js'

export interface ServeOptions {
  /** Work still in flight after the load stops (an outbox), so the runner reads CPU only once it is done. */
  pending?: () => number | Promise<number>
  /** Releases what the server holds (connection pools, deliverers) before the process exits. */
  close?: () => unknown
}

function send(message: FromServer): void {
  process.send!(message)
}

const HEAP_SAMPLE_MS = 100

/**
 * The kernel keeps a high-water mark for RSS only, so V8's own spaces are
 * sampled: the young generation (new space, new large objects) and the rest.
 * One sample costs a few microseconds, every 100 ms, in every server alike.
 */
function heapPeaks(): () => { young: number; old: number } {
  const peak = { young: 0, old: 0 }
  const sample = () => {
    let young = 0
    let old = 0
    for (const space of getHeapSpaceStatistics()) {
      if (space.space_name.startsWith('new_')) young += space.physical_space_size
      else old += space.physical_space_size
    }
    peak.young = Math.max(peak.young, young)
    peak.old = Math.max(peak.old, old)
  }
  setInterval(sample, HEAP_SAMPLE_MS).unref()
  return () => {
    sample()
    return { ...peak }
  }
}

/**
 * Listens on loopback at `PORT` (0: any free port) and answers the runner's
 * control messages over IPC. Every server file ends with this call.
 */
export function serve(server: Server, options: ServeOptions = {}): void {
  if (process.send === undefined) {
    throw new Error('Start this server through the benchmark runner (npm run bench): it reports to it over IPC.')
  }
  const peakHeap = heapPeaks()
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    send({ type: 'ready', port: (server.address() as AddressInfo).port })
  })

  let stopping = false
  async function stop(): Promise<void> {
    if (stopping) return
    stopping = true
    server.closeAllConnections()
    server.close()
    await options.close?.()
    // A normal exit, not a signal: `node --cpu-prof` writes its profile now.
    process.exit(0)
  }

  // Other messages (a counting upstream's) are the server's own to answer.
  process.on('message', ({ type }: { type: string }) => {
    if (type === ('stop' satisfies ToServer['type'])) {
      void stop()
      return
    }
    if (type !== ('stats' satisfies ToServer['type'])) return
    void Promise.resolve(options.pending?.() ?? 0).then((pending) => {
      const { user, system } = process.cpuUsage()
      // resourceUsage() reports maxRSS in kilobytes.
      send({ type: 'stats', cpuMicros: user + system, maxRssBytes: process.resourceUsage().maxRSS * 1024, peakHeapBytes: peakHeap(), pending })
    })
  })
  // The runner died: do not outlive it.
  process.on('disconnect', () => void stop())
}
