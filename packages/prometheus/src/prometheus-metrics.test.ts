import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Outbox, adminRouter, bearer, forward, memoryOutbox, tenants, webhook } from '@webhook-trigger/express'
import { type Upstream, listen, send, startUpstream } from '@webhook-trigger/testkit'
import express from 'express5'
import { Registry } from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type PrometheusMetricsOptions, prometheusMetrics } from './index.js'

const TOKEN = 'tok_prometheus_test'
const ADMIN = 'admin_prometheus_test'
const EVENT = '{"event":"customer_update","data":{"id":"1"}}'

/** The samples of a text exposition, as `{ name, labels, value }`. */
function samples(text: string) {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)!
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k!, v!]))
      return { name: match[1]!, labels, value: Number(match[3]) }
    })
}

/** The one sample named `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`)
  return found[0]?.value
}

interface MetricsApp {
  url: string
  registry: Registry
  outbox: Outbox
  close(): Promise<void>
}

/** An Express app: webhook() then a queued forward(), the admin router, and the app's own /metrics. */
async function startMetricsApp(upstream: Upstream, options: PrometheusMetricsOptions & { outbox?: Outbox } = {}): Promise<MetricsApp> {
  const registry = new Registry()
  const outbox = options.outbox ?? memoryOutbox()
  const metrics = prometheusMetrics({ ...options, registry, outbox })
  const relay = forward({ to: `${upstream.url}/webhook`, outbox, onEvent: metrics.onEvent, delivery: { pollInterval: 20, retry: { delays: [20] } } })
  const app = express()
  app.use('/admin', adminRouter({ outbox, auth: bearer({ token: ADMIN }), metrics }))
  app.post('/webhook', webhook({ auth: bearer(tenants({ acme: TOKEN })), onRequest: metrics.onRequest }), relay)
  app.get('/metrics', (_req, res, next) => {
    registry.metrics().then((text) => res.type(registry.contentType).send(text), next)
  })
  const server = await listen(createServer(app))
  return {
    url: server.url,
    registry,
    outbox,
    async close() {
      await server.close()
      await relay.close()
    },
  }
}

const sendEvent = (url: string, token = TOKEN) =>
  send(url, { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: EVENT })

describe('prometheusMetrics() through Express', () => {
  const closing: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close()
  })
  const start = async (script?: Parameters<typeof startUpstream>[0], options?: PrometheusMetricsOptions & { outbox?: Outbox }) => {
    const upstream = await startUpstream(script)
    closing.push(() => upstream.close())
    const app = await startMetricsApp(upstream, options)
    closing.push(() => app.close())
    return { upstream, app }
  }
  const scrape = (url: string, accept: string) => send(url, { method: 'GET', path: '/admin/metrics', headers: { authorization: `Bearer ${ADMIN}`, accept } })

  it('counts requests by outcome and code, and deliveries, served as text to a client asking for it and as JSON otherwise', async () => {
    const { upstream, app } = await start()
    expect((await sendEvent(app.url)).status).toBe(202)
    expect((await sendEvent(app.url)).status).toBe(202)
    expect((await sendEvent(app.url, 'wrong')).status).toBe(401)
    await vi.waitFor(() => expect(upstream.received).toHaveLength(2))

    const text = await scrape(app.url, 'text/plain;version=0.0.4')
    expect(text.status).toBe(200)
    expect(text.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    await vi.waitFor(async () => expect(sample((await scrape(app.url, 'text/plain')).text, 'webhook_trigger_deliveries_total', { outcome: 'delivered' })).toBe(2))
    const body = (await scrape(app.url, 'text/plain')).text
    expect(sample(body, 'webhook_trigger_requests_total', { outcome: 'accepted', code: '' })).toBe(2)
    expect(sample(body, 'webhook_trigger_requests_total', { outcome: 'refused', code: 'auth.invalid' })).toBe(1)
    expect(sample(body, 'webhook_trigger_request_duration_seconds_count', { outcome: 'accepted' })).toBe(2)
    expect(sample(body, 'webhook_trigger_events_received_total')).toBe(2)
    expect(sample(body, 'webhook_trigger_delivery_attempt_duration_seconds_count', { outcome: 'delivered' })).toBe(2)
    // No tenant or event label unless asked for.
    expect(samples(body).some((s) => 'tenant' in s.labels || 'event' in s.labels)).toBe(false)

    const json = await scrape(app.url, 'application/json')
    expect(json.headers['content-type']).toBe('application/json')
    expect(json.json()).toEqual({ received: 2, delivered: 2, retried: 0, dead: 0, failed: 0 })
    expect((await scrape(app.url, '*/*')).headers['content-type']).toBe('application/json')
    // The same registry on the app's own /metrics.
    expect(sample((await send(app.url, { method: 'GET', path: '/metrics' })).text, 'webhook_trigger_requests_total', { outcome: 'accepted' })).toBe(2)
  })

  it('counts retries and dead events, and reads pending, dead and the oldest pending age from the outbox at each scrape', async () => {
    const { upstream, app } = await start([{ status: 503 }])
    await sendEvent(app.url)
    await vi.waitFor(() => expect(upstream.received).toHaveLength(2))
    await vi.waitFor(async () => expect(sample((await scrape(app.url, 'text/plain')).text, 'webhook_trigger_dead_events_total')).toBe(1))
    const body = (await scrape(app.url, 'text/plain')).text
    expect(sample(body, 'webhook_trigger_delivery_retries_total')).toBe(1)
    expect(sample(body, 'webhook_trigger_deliveries_total', { outcome: 'dead' })).toBe(1)
    expect(sample(body, 'webhook_trigger_delivery_attempt_duration_seconds_count', { outcome: 'failed' })).toBe(2)
    expect(sample(body, 'webhook_trigger_outbox_up')).toBe(1)
    expect(sample(body, 'webhook_trigger_dead_events')).toBe(1)
    expect(sample(body, 'webhook_trigger_pending_events')).toBe(0)
    expect(sample(body, 'webhook_trigger_oldest_pending_event_age_seconds')).toBe(0)

    await app.outbox.enqueue({ id: 'old', target: 'http://127.0.0.1:9/', headers: {}, body: Buffer.from('{}') }, Date.now() - 90_000)
    const later = (await scrape(app.url, 'text/plain')).text
    expect(sample(later, 'webhook_trigger_pending_events')).toBe(1)
    expect(sample(later, 'webhook_trigger_oldest_pending_event_age_seconds')).toBeGreaterThanOrEqual(90)
  })

  it('reports outbox_up 0 and keeps the last counts while the outbox fails', async () => {
    const real = memoryOutbox()
    let down = false
    const outbox: Outbox = { ...real, stats: () => (down ? Promise.reject(new Error('store down')) : real.stats()) }
    const { app } = await start(undefined, { outbox })
    await app.outbox.enqueue({ id: 'a', target: 'http://127.0.0.1:9/', headers: {}, body: Buffer.from('{}') }, Date.now() + 60_000)
    expect(sample((await scrape(app.url, 'text/plain')).text, 'webhook_trigger_pending_events')).toBe(1)
    down = true
    const body = (await scrape(app.url, 'text/plain')).text
    expect(sample(body, 'webhook_trigger_outbox_up')).toBe(0)
    expect(sample(body, 'webhook_trigger_pending_events')).toBe(1)
  })

  it('labels requests and received events by tenant and event name when asked', async () => {
    const { app } = await start(undefined, { labels: ['tenant', 'event'] })
    await sendEvent(app.url)
    await sendEvent(app.url, 'wrong')
    const body = (await scrape(app.url, 'text/plain')).text
    expect(sample(body, 'webhook_trigger_requests_total', { outcome: 'accepted', tenant: 'acme', event: 'customer_update' })).toBe(1)
    expect(sample(body, 'webhook_trigger_requests_total', { outcome: 'refused', tenant: '', event: '' })).toBe(1)
    expect(sample(body, 'webhook_trigger_events_received_total', { tenant: 'acme', event: 'customer_update' })).toBe(1)
  })

  it.each([
    [{ labels: ['id'] }, /"labels" may hold 'tenant' and 'event'/],
    [{ prefix: 'bad-prefix' }, /"prefix" must be a Prometheus metric name prefix/],
    [{ requestBuckets: [1, 0.5] }, /"requestBuckets" must be increasing positive numbers/],
    [{ outboxTimeout: 0 }, /"outboxTimeout" must be a number of ms above 0/],
    [{ registry: {} }, /"registry" must be a prom-client Registry/],
  ])('refuses %j at creation, naming the option', (options, message) => {
    expect(() => prometheusMetrics({ registry: new Registry(), ...(options as PrometheusMetricsOptions) })).toThrow(message)
  })

  it('refuses to register its metrics twice in one registry', () => {
    const registry = new Registry()
    prometheusMetrics({ registry })
    expect(() => prometheusMetrics({ registry })).toThrow(/already holds webhook_trigger_requests_total/)
    expect(() => prometheusMetrics({ registry, prefix: 'second_' })).not.toThrow()
  })
})

/** Where Debian's `prometheus` package puts the server, if it is installed. */
function prometheusBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** One instant vector from Prometheus' HTTP API. */
async function query(prometheus: string, promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const reply = await send(prometheus, { method: 'GET', path: `/api/v1/query?query=${encodeURIComponent(promql)}` })
  const answer = reply.json<{ status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }>()
  expect(answer.status).toBe('success')
  return answer.data.result
}

describe('a real Prometheus server scraping GET /admin/metrics', () => {
  const binary = prometheusBinary()
  let upstream: Upstream
  let app: MetricsApp
  let prometheus: { url: string; child: ChildProcess; dir: string; log: string[] } | undefined

  beforeAll(async () => {
    if (binary === undefined) return
    upstream = await startUpstream()
    app = await startMetricsApp(upstream)
    const dir = mkdtempSync(join(tmpdir(), 'prometheus-scrape-'))
    const target = new URL(app.url).host
    // The admin token goes in the scrape config, as an operator would put it.
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: webhook-trigger',
        '    metrics_path: /admin/metrics',
        '    scrape_interval: 1s',
        '    scrape_timeout: 1s',
        `    authorization: { type: Bearer, credentials: ${ADMIN} }`,
        `    static_configs: [{ targets: ["${target}"] }]`,
        '',
      ].join('\n'),
    )
    const listen = `127.0.0.1:${await freePort()}`
    const log: string[] = []
    const child = spawn(binary, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${listen}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child.stderr.on('data', (chunk: Buffer) => log.push(chunk.toString()))
    prometheus = { url: `http://${listen}`, child, dir, log }
    await vi.waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${log.join('')}`)
        expect((await send(prometheus!.url, { method: 'GET', path: '/-/ready' })).status).toBe(200)
      },
      { timeout: 20_000, interval: 200 },
    )
  }, 30_000)

  afterAll(async () => {
    if (prometheus !== undefined) {
      const { child, dir } = prometheus
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    }
    await app?.close()
    await upstream?.close()
  })

  it('scrapes the counters with the admin token, and answers a query for one through its HTTP API', async (context) => {
    if (binary === undefined) {
      if (process.env.CI === 'true') throw new Error('the prometheus binary is missing, and CI=true needs it (.ci/run installs Debian\'s prometheus package)')
      console.warn('Skipping the Prometheus scrape test: no prometheus binary on PATH (apt-get install prometheus).')
      return context.skip()
    }
    const sent = performance.now()
    for (let i = 0; i < 3; i++) expect((await sendEvent(app.url)).status).toBe(202)
    expect((await sendEvent(app.url, 'wrong')).status).toBe(401)
    // Scraped every second; the bound covers a few scrapes and Prometheus' own start.
    await vi.waitFor(
      async () => {
        const accepted = await query(prometheus!.url, 'webhook_trigger_requests_total{job="webhook-trigger",outcome="accepted"}')
        expect(accepted.map((sample) => sample.value[1])).toEqual(['3'])
      },
      { timeout: 20_000, interval: 250 },
    )
    console.log(`prometheus scrape: the counter read back through /api/v1/query ${Math.round(performance.now() - sent)} ms after the webhooks`)
    const refused = await query(prometheus!.url, 'webhook_trigger_requests_total{outcome="refused"}')
    expect(refused).toEqual([expect.objectContaining({ metric: expect.objectContaining({ code: 'auth.invalid' }) as unknown, value: [expect.any(Number), '1'] })])
    const up = await query(prometheus!.url, 'up{job="webhook-trigger"}')
    expect(up.map((sample) => sample.value[1])).toEqual(['1'])
  }, 30_000)
})
