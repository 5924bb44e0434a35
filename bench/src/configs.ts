import type { Credential } from './fixture.js'

/** One server under test. */
export interface Config {
  /** Short id, for BENCH_ONLY and the JSON results. */
  name: string
  /** What the table calls it. */
  label: string
  side: 'peer' | 'ours'
  /** servers/<server>.ts */
  server: string
  /** What the load generator sends to prove who it is. */
  credential: Credential
  /** Forwards to the upstream process. */
  upstream?: boolean
  /** The configuration whose req/s this one is divided by, measured in the same run. */
  peer?: string
  /** For ours: the ratio to the peer we aim for with the 66-byte event. */
  target?: number
  /** For ours: the ratio aimed for at a larger body, by its size in bytes (`--body-size 10k` is 10240); a size not listed has none. */
  sizeTargets?: Readonly<Record<number, number>>
  /** For ours: calibration rows run alongside it (with BENCH_ONLY too), showing what its target allows. */
  with?: readonly string[]
}

// The body sizes the payload-size targets are set for (BENCHMARKS.md, "Payload size").
const KIB10 = 10 * 1024
const KIB64 = 64 * 1024

// Interleaving order: peers and ours alternate, so a slow patch of the shared
// machine does not land on one side only.
export const CONFIGS: readonly Config[] = [
  { name: 'node-http', label: 'node:http + timingSafeEqual + JSON.parse (reference)', side: 'peer', server: 'node-http', credential: 'basic' },
  { name: 'node-http-digest', label: 'node:http reference, comparing SHA-256 digests (what hashing alone costs)', side: 'peer', server: 'node-http-digest', credential: 'basic', peer: 'node-http' },
  { name: 'ours-core', label: 'ours: core on node:http, Basic', side: 'ours', server: 'ours-core', credential: 'basic', peer: 'node-http', target: 0.85, sizeTargets: { [KIB10]: 0.9, [KIB64]: 0.9 }, with: ['node-http-digest', 'node-http-late'] },
  { name: 'express-json', label: 'Express 5 + express.json(), no auth', side: 'peer', server: 'express-json', credential: 'none', peer: 'node-http' },
  { name: 'express-raw', label: 'Express 5, handler reads the body itself, no auth (calibration)', side: 'peer', server: 'express-raw', credential: 'none', peer: 'express-json' },
  { name: 'ours-express-basic', label: 'ours: Express adapter, Basic, app.use(webhook({ path }))', side: 'ours', server: 'ours-express', credential: 'basic', peer: 'express-json', target: 1.2, sizeTargets: { [KIB10]: 1.2, [KIB64]: 1.05 }, with: ['express-raw'] },
  { name: 'express-basic-auth', label: 'Express 5 + express-basic-auth + express.json()', side: 'peer', server: 'express-basic-auth', credential: 'basic', peer: 'express-json' },
  { name: 'ours-express-bearer', label: 'ours: Express adapter, Bearer', side: 'ours', server: 'ours-express', credential: 'bearer', peer: 'express-json' },
  { name: 'ours-express-all', label: 'ours: Express adapter, Basic, mounted with app.all(path)', side: 'ours', server: 'ours-express-all', credential: 'basic', peer: 'express-json' },
  { name: 'koa-bodyparser', label: 'Koa 3 + @koa/bodyparser, no auth', side: 'peer', server: 'koa-bodyparser', credential: 'none', peer: 'node-http' },
  { name: 'koa-raw', label: 'Koa 3, middleware reads the body itself, no auth (calibration)', side: 'peer', server: 'koa-raw', credential: 'none', peer: 'koa-bodyparser' },
  { name: 'ours-koa-basic', label: 'ours: Koa adapter, Basic', side: 'ours', server: 'ours-koa', credential: 'basic', peer: 'koa-bodyparser', target: 1.05, sizeTargets: { [KIB10]: 1.05, [KIB64]: 1.05 }, with: ['koa-raw'] },
  { name: 'koa-basic-auth', label: 'Koa 3 + koa-basic-auth + @koa/bodyparser', side: 'peer', server: 'koa-basic-auth', credential: 'basic', peer: 'koa-bodyparser' },
  { name: 'fastify-json', label: 'Fastify 5 + its JSON parser, no auth', side: 'peer', server: 'fastify-json', credential: 'none', peer: 'node-http' },
  { name: 'ours-fastify-basic', label: 'ours: Fastify plugin, Basic, every check', side: 'ours', server: 'ours-fastify', credential: 'basic', peer: 'fastify-json', target: 1.1 },
  { name: 'hono-json', label: 'Hono on @hono/node-server + await c.req.json(), no auth', side: 'peer', server: 'hono-json', credential: 'none', peer: 'node-http' },
  { name: 'ours-hono-basic', label: 'ours: Fetch handler as a Hono route on @hono/node-server, Basic', side: 'ours', server: 'ours-hono', credential: 'basic', peer: 'hono-json', target: 1.0 },
  { name: 'octokit', label: '@octokit/webhooks Node middleware, HMAC', side: 'peer', server: 'octokit', credential: 'github-hmac', peer: 'node-http' },
  { name: 'ours-core-github', label: 'ours: core on node:http, githubSignature(), replay protection on', side: 'ours', server: 'ours-core-github', credential: 'github-hmac', peer: 'octokit', target: 1.0, sizeTargets: { [KIB10]: 1.0, [KIB64]: 1.0 } },
  { name: 'undici-forwarder', label: 'node:http + undici request() forwarder (reference)', side: 'peer', server: 'undici-forwarder', credential: 'none', upstream: true },
  { name: 'ours-core-relay', label: 'ours: relay on node:http (createForwardHandler)', side: 'ours', server: 'ours-core-relay', credential: 'none', upstream: true, peer: 'undici-forwarder', target: 0.85 },
  { name: 'http-proxy-middleware', label: 'Express 5 + http-proxy-middleware, keep-alive', side: 'peer', server: 'express-http-proxy', credential: 'none', upstream: true, peer: 'undici-forwarder' },
  { name: 'express-undici', label: 'Express 5, middleware forwarding with undici request(), no checks (calibration)', side: 'peer', server: 'express-undici', credential: 'none', upstream: true, peer: 'http-proxy-middleware' },
  { name: 'ours-express-relay', label: 'ours: relay through Express forward()', side: 'ours', server: 'ours-express-relay', credential: 'none', upstream: true, peer: 'http-proxy-middleware', target: 1.5, sizeTargets: { [KIB10]: 1.5 }, with: ['express-undici'] },
  { name: 'ours-intermediary', label: 'ours: queued intermediary, webhook() + forward({ outbox: memoryOutbox() }), Basic', side: 'ours', server: 'ours-intermediary', credential: 'basic', upstream: true, peer: 'http-proxy-middleware' },
  { name: 'ours-intermediary-sqlite', label: 'ours: queued intermediary, webhook() + forward({ outbox: sqliteOutbox() }), Basic', side: 'ours', server: 'ours-intermediary-sqlite', credential: 'basic', upstream: true, peer: 'http-proxy-middleware' },
  // Last on purpose: the reference again, started with every other server but
  // loaded last. Anything but 1.00x means a server's place in the order
  // changes what it measures.
  { name: 'node-http-late', label: 'the reference again, loaded last (position check: should read 1.00x)', side: 'peer', server: 'node-http', credential: 'basic', peer: 'node-http' },
]

/** Peak RSS any of ours may reach, in MB. */
export const RSS_TARGET_MB = 120

/**
 * The configurations with the targets that hold for a body of `bodySize`
 * bytes (0: the 66-byte event, the targets above; larger: `sizeTargets`).
 */
export function withTargetsFor(configs: readonly Config[], bodySize: number): Config[] {
  if (bodySize === 0) return [...configs]
  return configs.map((config) => ({ ...config, target: config.sizeTargets?.[bodySize] }))
}

/**
 * The configurations named in `only` (all when empty), plus the peers they
 * are compared with and their calibration rows, in the interleaving order.
 */
export function selectConfigs(only: readonly string[]): Config[] {
  if (only.length === 0) return [...CONFIGS]
  const unknown = only.filter((name) => !CONFIGS.some((config) => config.name === name))
  if (unknown.length > 0) {
    throw new TypeError(`BENCH_ONLY: unknown configuration ${unknown.join(', ')}; known: ${CONFIGS.map((c) => c.name).join(', ')}`)
  }
  const wanted = new Set(only)
  for (const config of CONFIGS) {
    if (!wanted.has(config.name)) continue
    if (config.peer !== undefined) wanted.add(config.peer)
    for (const name of config.with ?? []) wanted.add(name)
  }
  return CONFIGS.filter((config) => wanted.has(config.name))
}
