import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startUpstream, type Upstream } from '@webhook-trigger/testkit'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { type RunningCli, freePort, runCli, spawnCli, startCli, stopAll, transcript } from './test/cli-process.js'

const TOKEN = 'tok_listen_SECRET_4f1c9e'
const WRONG = 'tok_wrong_SECRET_77ab02'
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const ENV = { API_TOKEN: TOKEN, WRONG_TOKEN: WRONG, WEBHOOK_SECRET: SECRET }
const upstreams: Upstream[] = []

async function listen(...extra: string[]): Promise<RunningCli> {
  return startCli(['listen', '--host', '127.0.0.1', '--port', '0', '--tenant', 'tenant123', '--token-env', 'API_TOKEN', ...extra], ENV)
}

const send = (url: string, ...extra: string[]) =>
  runCli(['send', '--url', url, '--tenant', 'tenant123', '--token-env', 'API_TOKEN', '--event', 'customer_update', '--data', '{"id":"1234","status":"active"}', ...extra], ENV)

afterEach(stopAll)
afterAll(async () => {
  for (const upstream of upstreams.splice(0)) await upstream.close()
})

describe('listen + send', () => {
  it('send delivers to listen (exit 0), and listen prints time, tenant, event, id and data', async () => {
    const listener = await listen()
    const sent = await send(listener.url, '--idempotency-key', 'evt-round-trip')
    expect(sent).toMatchObject({ code: 0, stderr: '' })
    expect(sent.stdout).toMatch(/^delivered 202 .*idempotency key evt-round-trip\)\n$/)
    await vi.waitFor(() => expect(listener.stdout()).toContain('accepted'))
    expect(listener.stdout()).toMatch(/\d{4}-\d\d-\d\dT[\d:.]+Z accepted tenant=tenant123 event=customer_update id=evt-round-trip data=\{"id":"1234","status":"active"\}/)
  })

  it('a wrong token is rejected: send exits 1 with the problem code, listen prints the refusal', async () => {
    const listener = await listen()
    const sent = await runCli(['send', '--url', listener.url, '--tenant', 'tenant123', '--token-env', 'WRONG_TOKEN', '--event', 'e', '--data', '{}'], ENV)
    expect(sent.code).toBe(1)
    expect(sent.stdout).toMatch(/^rejected 401 auth\.invalid: /)
    await vi.waitFor(() => expect(listener.stdout()).toMatch(/refused 401 auth\.invalid: /))
    expect(listener.stdout()).not.toContain('accepted')
  })

  it('send exits 2 when nothing answers, after its retries', async () => {
    const sent = await send(`http://127.0.0.1:${await freePort()}/webhook`, '--retries', '1')
    expect(sent.code).toBe(2)
    expect(sent.stdout).toMatch(/^failed: .*2 attempts/)
  })

  it('send --json prints the client result; --data @file reads the data from a file', async () => {
    const listener = await listen()
    const file = join(mkdtempSync(join(tmpdir(), 'cli-data-')), 'event.json')
    writeFileSync(file, '{"id":"from-file"}')
    const sent = await runCli(['send', '--url', listener.url, '--bearer-env', 'API_TOKEN', '--event', 'order.paid', '--data', `@${file}`, '--json'], ENV)
    expect(sent.code).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ outcome: 'delivered', status: 202, attempts: 1 })
    await vi.waitFor(() => expect(listener.stdout()).toContain('event=order.paid'))
    expect(listener.stdout()).toContain('data={"id":"from-file"}')
  })

  it('send --repeat --concurrency prints a summary with statuses, req/s and p50/p99, and no progress bar off a terminal', async () => {
    const listener = await listen()
    const sent = await send(listener.url, '--repeat', '30', '--concurrency', '5')
    expect(sent.code).toBe(0)
    expect(sent.stderr).toBe('')
    expect(sent.stdout).toMatch(/^sent 30 in [\d.]+ s \([\d.]+ req\/s\): 30 delivered, 0 rejected, 0 failed; by status 202: 30; latency p50 [\d.]+ ms, p99 [\d.]+ ms\n$/)
    await vi.waitFor(() => expect(listener.stdout().match(/ accepted /g)).toHaveLength(30))

    const json = await send(listener.url, '--repeat', '4', '--concurrency', '2', '--json', '--tenant', 'tenant123', '--token-env', 'WRONG_TOKEN')
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ sent: 4, delivered: 0, rejected: 4, failed: 0, statuses: { 401: 4 } })
  })

  it('SIGINT stops send --repeat: sends in flight are cut short, what was sent is summarized, exit 130', async () => {
    const listener = await listen()
    const sending = spawnCli(['send', '--url', listener.url, '--bearer-env', 'API_TOKEN', '--event', 'e', '--data', '{}', '--repeat', '1000000', '--concurrency', '2'], ENV)
    await vi.waitFor(() => expect(listener.stdout().match(/ accepted /g)?.length).toBeGreaterThanOrEqual(5))
    sending.child.kill('SIGINT')
    const { code, stdout, stderr } = await sending.finished
    expect(code).toBe(130)
    expect(stdout).toMatch(/^sent \d+ in [\d.]+ s .*; latency p50 [\d.]+ ms, p99 [\d.]+ ms\n$/)
    expect(stderr).toMatch(/^stopped by SIGINT after \d+ of 1000000\n$/)
  })

  it('listen --forward-to relays each accepted event to the app and answers with its answer', async () => {
    const app = await startUpstream([{ status: 200, body: '{"handled":true}' }])
    upstreams.push(app)
    const listener = await listen('--forward-to', `${app.url}/hooks`)
    const sent = await send(listener.url, '--json')
    expect(JSON.parse(sent.stdout)).toMatchObject({ outcome: 'delivered', status: 200, body: { handled: true } })
    expect(app.received).toHaveLength(1)
    expect(app.received[0]!.url).toBe('/hooks')
    expect(JSON.parse(app.received[0]!.body.toString())).toEqual({ event: 'customer_update', data: { id: '1234', status: 'active' } })
    // The sender's credentials stay with the listener.
    expect(app.received[0]!.headers.authorization).toBeUndefined()
    await vi.waitFor(() => expect(listener.stdout()).toMatch(/forwarded id=\S+ -> 200/))
  })

  it('listen --forward-to an app that is down answers 502 and prints the problem code', async () => {
    const listener = await listen('--forward-to', `http://127.0.0.1:${await freePort()}/hooks`)
    const sent = await send(listener.url, '--retries', '0')
    expect(sent.code).toBe(2)
    expect(sent.stdout).toMatch(/^failed: HTTP 502 /)
    await vi.waitFor(() => expect(listener.stdout()).toMatch(/forwarded id=\S+ -> 502 upstream\.unreachable\n/))
  })

  it('send --secret-env signs the Standard Webhooks way, and listen --secret-env verifies it', async () => {
    const listener = await startCli(['listen', '--host', '127.0.0.1', '--port', '0', '--secret-env', 'WEBHOOK_SECRET'], ENV)
    const sent = await runCli(['send', '--url', listener.url, '--secret-env', 'WEBHOOK_SECRET', '--event', 'signed.event', '--data', '{"n":1}'], ENV)
    expect(sent.code).toBe(0)
    await vi.waitFor(() => expect(listener.stdout()).toMatch(/accepted tenant=local event=signed\.event id=\S+ data=\{"n":1\}/))
    const unsigned = await send(listener.url)
    expect(unsigned.code).toBe(1)
    expect(unsigned.stdout).toMatch(/^rejected 401 auth\.missing: /)
  })

  it('listen stops cleanly on SIGTERM and on SIGINT', async () => {
    expect(await (await listen()).stop('SIGTERM')).toBe(0)
    expect(await (await listen()).stop('SIGINT')).toBe(0)
  })

  it('listen reports a port in use in one line and exits non-zero', async () => {
    const app = await startUpstream()
    upstreams.push(app)
    const port = new URL(app.url).port
    const result = await runCli(['listen', '--host', '127.0.0.1', '--port', port, '--tenant', 't', '--token-env', 'API_TOKEN'], ENV)
    expect(result.code).not.toBe(0)
    expect(result.stderr).toBe(`error: 127.0.0.1:${port} is already in use; stop what runs there or choose another --port\n`)
  })

  it('no token was printed by any process of this file', () => {
    expect(transcript()).toContain('accepted')
    expect(transcript()).not.toContain(TOKEN)
    expect(transcript()).not.toContain(WRONG)
    expect(transcript()).not.toContain(SECRET.slice(6))
  })
})
