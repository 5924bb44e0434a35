import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type RunningExample, describeStatusTable, runExample, send } from '@webhook-trigger/testkit'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DEMO_SECRET } from './app.js'

const dir = fileURLToPath(new URL('..', import.meta.url))
const curl = promisify(execFile)
const accepted = (example: RunningExample) => example.lines.filter((line) => line.startsWith('accepted ')).length

describeStatusTable(
  'express receiver example (npm start)',
  async () => {
    const example = await runExample(dir)
    return { url: example.url, handled: () => accepted(example), close: example.stop }
  },
  { fixtures: false },
)

describe('express receiver example: the reference curl commands', () => {
  let example: RunningExample
  beforeAll(async () => {
    example = await runExample(dir)
  })
  afterAll(() => example.stop())

  const payload = '{"event":"customer_update","data":{"id":"1234","status":"active"}}'

  it('accepts the Basic Auth command and logs tenant, event and id, never the token', async () => {
    const { stdout } = await curl('curl', ['-sS', '-X', 'POST', example.url, '-u', 'tenant123:api_token_abc123', '-H', 'Content-Type: application/json', '-d', payload])
    const { id } = JSON.parse(stdout) as { id: string }
    expect(JSON.parse(stdout)).toEqual({ accepted: true, id })
    await vi.waitFor(() => expect(example.lines).toContain(`accepted event=customer_update tenant=tenant123 id=${id}`))
    expect(example.lines.join('\n')).not.toContain('api_token_abc123')
  })

  it('accepts the custom header (Bearer) command', async () => {
    const { stdout } = await curl('curl', ['-sS', '-X', 'POST', example.url, '-H', 'Authorization: Bearer api_token_abc123', '-H', 'Content-Type: application/json', '-d', payload])
    expect(JSON.parse(stdout)).toMatchObject({ accepted: true })
  })

  it('takes its credentials from TENANT_ID and API_TOKEN', async () => {
    const custom = await runExample(dir, { TENANT_ID: 'acme', API_TOKEN: 'secret_token_9' })
    try {
      const ok = await curl('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', custom.url, '-u', 'acme:secret_token_9', '-H', 'Content-Type: application/json', '-d', payload])
      const demo = await curl('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', custom.url, '-u', 'tenant123:api_token_abc123', '-H', 'Content-Type: application/json', '-d', payload])
      expect([ok.stdout, demo.stdout]).toEqual(['202', '401'])
    } finally {
      await custom.stop()
    }
  })
})

describe('express receiver example: Standard Webhooks at POST /webhook/signed', () => {
  let example: RunningExample
  beforeAll(async () => {
    example = await runExample(dir)
  })
  afterAll(() => example.stop())
  const signedUrl = () => example.url.replace(/\/webhook$/, '/webhook/signed')

  it('accepts an event signed with the demo secret by the standardwebhooks library', async () => {
    const body = '{"event":"customer_update","data":{"id":"1234","status":"active"}}'
    const headers = { 'webhook-id': 'msg_demo_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) }
    const signature = new Webhook(DEMO_SECRET).sign(headers['webhook-id'], new Date(Number(headers['webhook-timestamp']) * 1000), body)
    const reply = await send(signedUrl(), { path: '/webhook/signed', headers: { ...headers, 'webhook-signature': signature, 'content-type': 'application/json' }, body })
    expect(reply.status).toBe(202)
    await vi.waitFor(() => expect(example.lines).toContain('accepted event=customer_update tenant=tenant123 id=msg_demo_1'))
    const replay = await send(signedUrl(), { path: '/webhook/signed', headers: { ...headers, 'webhook-signature': signature, 'content-type': 'application/json' }, body })
    expect(replay.json()).toMatchObject({ accepted: true, replay: true })
  })

  it('refuses an unsigned event', async () => {
    const reply = await send(signedUrl(), { path: '/webhook/signed', headers: { 'content-type': 'application/json' }, body: '{"event":"a","data":{}}' })
    expect(reply.status).toBe(401)
    expect(reply.headersDistinct['www-authenticate']).toEqual(['StandardWebhooks realm="webhook"'])
  })
})
