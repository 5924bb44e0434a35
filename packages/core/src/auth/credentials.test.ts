import { TENANT, TOKEN, basicAuth, send, startCore, validRequest } from '@webhook-trigger/testkit'
import { describe, expect, it } from 'vitest'
import { basic } from './basic.js'
import { bearer } from './bearer.js'
import { type Credentials, hashToken, tenants } from './credentials.js'
import { header } from './header.js'

describe('tenants()', () => {
  it.each([
    [{ '': 'x' }, /needs a non-empty ID and at least one token/],
    [{ t: [] }, /needs a non-empty ID and at least one token/],
    [{ t: [''] }, /every token must be a non-empty string/],
    [{ t: 'sha256:abc' }, /64 hex digits; use hashToken\(token\)/],
    [{ a: 'same', b: 'same' }, /share a token/],
  ])('refuses %j at creation', (map, message) => {
    expect(() => tenants(map)).toThrow(message)
  })

  it('writes digests as sha256:<hex>', () => {
    expect(hashToken('api_token_abc123')).toMatch(/^sha256:[0-9a-f]{64}$/)
  })
})

describe('schemes refuse credentials they cannot use', () => {
  it('basic() needs tokensOf', () => {
    expect(() => basic({ tenantOf: () => undefined })).toThrow('basic(): credentials must provide tokensOf()')
  })
  it('bearer() and header() need tenantOf', () => {
    expect(() => bearer({ tokensOf: () => undefined })).toThrow('bearer(): credentials must provide tenantOf()')
    expect(() => header('X-Api-Key', {})).toThrow('header(): credentials must provide tenantOf()')
  })
  it('header() needs a header name and a single-line prefix', () => {
    expect(() => header('X Api Key', tenants({ t: 'x' }))).toThrow('header(): the first argument must be a header name')
    expect(() => header('X-Api-Key', tenants({ t: 'x' }), { prefix: 'a\nb' })).toThrow('"prefix" must be a single-line string')
  })
  it.each([5, true, {}, ['Token ']])('header() names "prefix" in a TypeError for a prefix of %j, not "toLowerCase is not a function"', (prefix) => {
    const make = () => header('X-Api-Key', tenants({ t: 'x' }), { prefix: prefix as unknown as string })
    expect(make).toThrow(TypeError)
    expect(make).toThrow('header(): "prefix" must be a single-line string')
  })
  it('a realm must fit in a quoted string', () => {
    expect(() => basic(tenants({ t: 'x' }), { realm: 'say "hi"' })).toThrow('basic(): "realm" must be printable ASCII')
  })
})

describe('credentials over HTTP', () => {
  const accepts = async (credentials: Credentials, authorization: string) => {
    const app = await startCore({ webhook: { auth: [basic(credentials), bearer(credentials)] } })
    try {
      return (await send(app.url, validRequest({ headers: { authorization } }))).status
    } finally {
      await app.close()
    }
  }

  it('accepts the plain token when configuration holds only its digest', async () => {
    const digested = tenants({ [TENANT]: hashToken(TOKEN) })
    expect(await accepts(digested, basicAuth(TENANT, TOKEN))).toBe(202)
    expect(await accepts(digested, `Bearer ${TOKEN}`)).toBe(202)
    expect(await accepts(digested, basicAuth(TENANT, hashToken(TOKEN)))).toBe(401)
  })

  it('looks tenants up asynchronously, as a database would', async () => {
    const rows = new Map([[TENANT, [hashToken('old_token'), TOKEN]]])
    const digests = new Map([[hashToken(TOKEN).slice('sha256:'.length), TENANT]])
    const database: Credentials = {
      tokensOf: (tenant) => Promise.resolve(rows.get(tenant)),
      tenantOf: (digest) => Promise.resolve(digests.get(digest)),
    }
    expect(await accepts(database, basicAuth(TENANT, 'old_token'))).toBe(202)
    expect(await accepts(database, basicAuth(TENANT, TOKEN))).toBe(202)
    expect(await accepts(database, basicAuth('other', TOKEN))).toBe(401)
    expect(await accepts(database, `Bearer ${TOKEN}`)).toBe(202)
    expect(await accepts(database, 'Bearer unknown')).toBe(401)
  })

  it('lets a failing lookup reach the caller of verify(), not the client as a 4xx', async () => {
    const failing: Credentials = { tokensOf: () => Promise.reject(new Error('database down')) }
    const app = await startCore({ webhook: { auth: basic(failing) } })
    try {
      const reply = await send(app.url, validRequest())
      expect(reply.status).toBe(500)
      expect(reply.text).toContain('database down')
    } finally {
      await app.close()
    }
  })

  it('matches a header prefix case-insensitively and requires it', async () => {
    const auth = header('X-Auth', tenants({ [TENANT]: TOKEN }), { prefix: 'Token ' })
    const app = await startCore({ webhook: { auth } })
    try {
      const status = async (value: string) =>
        (await send(app.url, { ...validRequest(), headers: { 'x-auth': value, 'content-type': 'application/json' } })).status
      expect(await status(`Token ${TOKEN}`)).toBe(202)
      expect(await status(`token ${TOKEN}`)).toBe(202)
      expect(await status(TOKEN)).toBe(401)
      expect(await status('Token ')).toBe(401)
    } finally {
      await app.close()
    }
  })
})
