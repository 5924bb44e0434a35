import { describe, expect, it } from 'vitest'
import { basic } from '../auth/basic.js'
import { tenants } from '../auth/credentials.js'
import { createForwardHandler } from './forward-handler.js'
import { forwardHeaders } from './forward-headers.js'

describe('forwardHeaders()', () => {
  it('drops hop-by-hop fields, those named in Connection, and every credential', () => {
    const out = forwardHeaders(
      {
        connection: 'close, X-Trace',
        'x-trace': '1',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        host: 'relay.example',
        'content-length': '10',
        expect: '100-continue',
        authorization: 'Bearer secret',
        'proxy-authorization': 'Basic secret',
        cookie: 'a=secret',
        'x-api-key': 'secret',
        'content-type': 'application/json',
        'user-agent': 'crm/1.0',
      },
      { strip: ['x-api-key'] },
    )
    expect(out).toEqual({ 'content-type': 'application/json', 'user-agent': 'crm/1.0' })
  })

  it('appends this hop to X-Forwarded-For and Forwarded, and drops X-Forwarded-Host', () => {
    const out = forwardHeaders(
      { 'x-forwarded-for': '203.0.113.9', forwarded: 'for=203.0.113.9', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      { remoteAddress: '::1', proto: 'https' },
    )
    expect(out).toEqual({
      'x-forwarded-for': '203.0.113.9, ::1',
      forwarded: 'for=203.0.113.9, for="[::1]";proto=https',
    })
  })
})

describe('forward() options', () => {
  const auth = basic({ tenant: 't', token: 'x' })
  it.each([
    [{}, /"to" must be an absolute URL/],
    [{ to: '/webhook' }, /"to" must be an absolute URL/],
    [{ to: 'file:///etc/passwd' }, /"to" must use http or https/],
    [{ to: 'http://user:pw@example.com/' }, /put credentials in "auth", not in the "to" URL/],
    [{ to: 'http://example.com/', auth: basic(tenants({ t: 'x' })) }, /"auth" must carry one credential to attach/],
    [{ to: 'http://example.com/', auth, timeout: 0 }, /"timeout" must be a positive number/],
    [{ to: 'http://example.com/', auth, limit: 'much' }, /"limit" must be a positive byte count/],
    [{ to: 'http://example.com/', auth, bodyTimeout: 0 }, /"bodyTimeout" must be a whole number of milliseconds/],
    [{ to: 'http://example.com/', auth, transform: 'x' }, /"transform" must be a function/],
    [{ to: 'http://example.com/', auth, outbox: {} }, /"outbox" must be an Outbox/],
  ])('throws at creation for %j', (options, message) => {
    expect(() => createForwardHandler(options as never, 'forward()')).toThrow(message)
  })
})
