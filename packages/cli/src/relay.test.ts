import { send, startUpstream, type Upstream } from '@webhook-trigger/testkit'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { runCli, startCli, stopAll, transcript } from './test/cli-process.js'

const TOKEN = 'tok_relay_SECRET_9d2e41'
const ENV = { RELAY_TOKEN: TOKEN }
const upstreams: Upstream[] = []
const upstream = async (...script: Parameters<typeof startUpstream>) => {
  const started = await startUpstream(...script)
  upstreams.push(started)
  return started
}

afterEach(stopAll)
afterAll(async () => {
  for (const started of upstreams.splice(0)) await started.close()
})

describe('relay', () => {
  it('forwards the body byte for byte with HTTP Basic attached, answers with the upstream answer, and logs one line', async () => {
    const target = await upstream([{ status: 202, body: '{"accepted":true}' }])
    const relay = await startCli(['relay', '--host', '127.0.0.1', '--port', '0', '--to', `${target.url}/webhook`, '--tenant', 'tenant123', '--token-env', 'RELAY_TOKEN'], ENV)
    const body = '{ "event": "customer_update",\n  "data": {"id":"1234"} }'
    const reply = await send(relay.url.replace(/\/webhook$/, ''), { headers: { 'content-type': 'application/json' }, body })
    expect(reply.status).toBe(202)
    expect(reply.json()).toEqual({ accepted: true })
    expect(target.received).toHaveLength(1)
    expect(target.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`tenant123:${TOKEN}`).toString('base64')}`)
    expect(target.received[0]!.body.toString()).toBe(body)
    await vi.waitFor(() => expect(relay.stdout()).toMatch(/Z POST \/webhook -> 202 \d+ ms\n/))
    expect(relay.stdout().match(/ -> /g)).toHaveLength(1)
    expect(await relay.stop('SIGTERM')).toBe(0)
  })

  it('passes the upstream refusal back to the sender, and sends Bearer when asked', async () => {
    const target = await upstream([{ status: 401, body: '{"code":"auth.invalid"}', headers: { 'content-type': 'application/problem+json' } }])
    const relay = await startCli(['relay', '--host', '127.0.0.1', '--port', '0', '--path', '/hooks/crm', '--to', `${target.url}/webhook`, '--bearer-env', 'RELAY_TOKEN'], ENV)
    const reply = await send(relay.url.replace(/\/hooks\/crm$/, ''), { path: '/hooks/crm', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(reply.status).toBe(401)
    expect(target.received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
    await vi.waitFor(() => expect(relay.stdout()).toMatch(/POST \/hooks\/crm -> 401/))
  })

  it('refuses to start without credentials for the upstream, in one line', async () => {
    const result = await runCli(['relay', '--to', 'http://127.0.0.1:9/webhook'])
    expect(result.code).toBe(64)
    expect(result.stderr).toBe('error: give credentials for --to: --tenant <id> --token-env <VAR>, --bearer-env <VAR>, or --header <name> --token-env <VAR>\n')
    const unset = await runCli(['relay', '--to', 'http://127.0.0.1:9/webhook', '--tenant', 't', '--token-env', 'NOT_SET_ANYWHERE'])
    expect(unset.stderr).toBe('error: --token-env names NOT_SET_ANYWHERE, which is not set or empty\n')
  })

  it('no token was printed by any process of this file', () => {
    expect(transcript()).toContain('listening on')
    expect(transcript()).not.toContain(TOKEN)
    expect(transcript()).not.toContain(Buffer.from(`tenant123:${TOKEN}`).toString('base64'))
  })
})
