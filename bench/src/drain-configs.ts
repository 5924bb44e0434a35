import type { Credential } from './fixture.js'

/** One server the drain measures. */
export interface DrainConfig {
  name: string
  label: string
  /** servers/<server>.ts */
  server: string
  credential: Credential
  /** Delivers to the upstream; false: answers 202 and keeps nothing (the RSS baseline). */
  delivers: boolean
  /** Keeps its queue in Redis. */
  redis?: boolean
}

// Interleaving order: the relay limit and the peer between ours, so a slow
// patch of the shared machine does not land on one side only.
export const DRAIN_CONFIGS: readonly DrainConfig[] = [
  { name: 'relay', label: 'non-durable relay limit: node:http + undici, relaying at once', server: 'undici-forwarder', credential: 'none', delivers: true },
  { name: 'ours-core-sqlite', label: 'ours: node:http, core only, SQLite outbox', server: 'ours-core-intermediary-sqlite', credential: 'basic', delivers: true },
  { name: 'bullmq', label: 'peer: Express + express.json() + Basic + BullMQ queue.add, Worker + undici', server: 'bullmq-pipeline', credential: 'basic', delivers: true, redis: true },
  { name: 'ours-express-sqlite', label: 'ours: Express, webhook() + forward(), SQLite outbox', server: 'ours-intermediary-sqlite', credential: 'basic', delivers: true },
  { name: 'ours-express-redis', label: 'ours: Express, webhook() + forward(), Redis outbox', server: 'ours-intermediary-redis', credential: 'basic', delivers: true, redis: true },
  { name: 'express-json', label: 'Express + express.json() answering 202, keeps nothing (RSS baseline)', server: 'express-json', credential: 'none', delivers: false },
]

/** A ratio of delivered events per second (or of peak RSS) the issue sets, checked in every run. */
export interface DrainTarget {
  what: string
  ours: string
  over: string
  metric: 'delivered' | 'rss'
  /** delivered: at least this; rss: at most this. */
  ratio: number
}

export const DRAIN_TARGETS: readonly DrainTarget[] = [
  { what: 'Express + SQLite vs the BullMQ pipeline', ours: 'ours-express-sqlite', over: 'bullmq', metric: 'delivered', ratio: 1.5 },
  { what: 'Express + Redis vs the BullMQ pipeline', ours: 'ours-express-redis', over: 'bullmq', metric: 'delivered', ratio: 1.2 },
  { what: 'node:http + SQLite vs the non-durable relay', ours: 'ours-core-sqlite', over: 'relay', metric: 'delivered', ratio: 0.5 },
  ...['ours-core-sqlite', 'ours-express-sqlite', 'ours-express-redis'].map(
    (ours): DrainTarget => ({ what: `peak RSS of ${ours} vs express.json() answering 202`, ours, over: 'express-json', metric: 'rss', ratio: 1.2 }),
  ),
]

export function selectDrainConfigs(only: readonly string[]): DrainConfig[] {
  if (only.length === 0) return [...DRAIN_CONFIGS]
  const unknown = only.filter((name) => !DRAIN_CONFIGS.some((config) => config.name === name))
  if (unknown.length > 0) throw new TypeError(`--only: unknown drain configuration ${unknown.join(', ')}; known: ${DRAIN_CONFIGS.map((c) => c.name).join(', ')}`)
  return DRAIN_CONFIGS.filter((config) => only.includes(config.name))
}
