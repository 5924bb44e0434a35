import { fileURLToPath } from 'node:url'
import { REFERENCE_PAYLOAD, type RunningExample, acceptedEvents, describePortInUse, runExample, send } from '@webhook-trigger/testkit'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

describe('proxy example (npm start), in front of the Express receiver', () => {
  let receiver: RunningExample
  let proxy: RunningExample
  beforeAll(async () => {
    receiver = await runExample(here('../../express-receiver'))
    proxy = await runExample(here('..'), { TARGET_URL: receiver.url })
  })
  afterAll(async () => {
    await proxy.stop()
    await receiver.stop()
  })

  it('gets a POST without credentials to the receiver, authenticated', async () => {
    const reply = await send(proxy.url, { path: '/', headers: { 'content-type': 'application/json' }, body: REFERENCE_PAYLOAD })
    expect(reply.status).toBe(202)
    const { id } = reply.json<{ id: string }>()
    await vi.waitFor(() => expect(acceptedEvents(receiver)).toContainEqual({ eventId: id, tenant: 'tenant123', event: 'customer_update' }))
    await vi.waitFor(() => expect(proxy.logs()).toContainEqual(expect.objectContaining({ msg: 'event delivered', eventId: id, attempt: 1, upstreamStatus: 202 })))
    expect([...proxy.lines, ...receiver.lines].join('\n')).not.toContain('api_token_abc123')
  })

  it('relays the receiver\'s own refusal', async () => {
    const reply = await send(proxy.url, { path: '/', headers: { 'content-type': 'text/plain' }, body: 'hello' })
    expect(reply.status).toBe(415)
    expect(reply.json()).toMatchObject({ code: 'media.unsupported' })
    await vi.waitFor(() => expect(proxy.logs()).toContainEqual(expect.objectContaining({ msg: 'relay failed', outcome: 'failed', upstreamStatus: 415 })))
  })
})

describePortInUse('proxy', here('..'))
