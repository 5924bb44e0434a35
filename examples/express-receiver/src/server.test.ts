import { fileURLToPath } from 'node:url'
import { type RunningExample, acceptedEvents, describePortInUse, describeReceiverExample, runExample, send } from '@webhook-trigger/testkit'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DEMO_SECRET } from './app.js'

const dir = fileURLToPath(new URL('..', import.meta.url))

describeReceiverExample('express receiver example', dir)

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
    await vi.waitFor(() => expect(acceptedEvents(example)).toContainEqual({ eventId: 'msg_demo_1', tenant: 'tenant123', event: 'customer_update' }))
    const replay = await send(signedUrl(), { path: '/webhook/signed', headers: { ...headers, 'webhook-signature': signature, 'content-type': 'application/json' }, body })
    expect(replay.json()).toMatchObject({ accepted: true, replay: true })
    await vi.waitFor(() => expect(example.logs()).toContainEqual(expect.objectContaining({ msg: 'webhook duplicate', eventId: 'msg_demo_1', status: 202 })))
    expect(example.lines.join('\n')).not.toContain(DEMO_SECRET.slice('whsec_'.length))
  })

  it('refuses an unsigned event', async () => {
    const reply = await send(signedUrl(), { path: '/webhook/signed', headers: { 'content-type': 'application/json' }, body: '{"event":"a","data":{}}' })
    expect(reply.status).toBe(401)
    expect(reply.headersDistinct['www-authenticate']).toEqual(['StandardWebhooks realm="webhook"'])
    await vi.waitFor(() => expect(example.logs()).toContainEqual(expect.objectContaining({ msg: 'webhook refused', code: 'auth.missing', status: 401 })))
  })
})

describe('express receiver example: what else reaches the app', () => {
  let example: RunningExample
  beforeAll(async () => {
    example = await runExample(dir)
  })
  afterAll(() => example.stop())

  it('answers 405 with Allow: POST to another method on a webhook path', async () => {
    for (const path of ['/webhook', '/webhook/signed']) {
      const reply = await send(example.url, { method: 'GET', path })
      expect(reply.status).toBe(405)
      expect(reply.headers.allow).toBe('POST')
    }
  })

  it('passes every other path on to Express, which answers 404', async () => {
    const reply = await send(example.url, { path: '/webhooks', headers: { 'content-type': 'application/json' }, body: '{"event":"a","data":{}}' })
    expect(reply.status).toBe(404)
  })
})

describePortInUse('express-receiver', dir)
