import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { basic } from './auth/basic.js'
import { bearer } from './auth/bearer.js'
import { tenants } from './auth/credentials.js'
import { header } from './auth/header.js'
import { standardWebhooks } from './auth/standard-webhooks.js'
import { PROBLEMS } from './problem.js'
import { createWebhookVerifier } from './webhook-verifier.js'

// The whole pipeline as one property: whatever the method, headers and body,
// verify() settles without a throw or a rejection, and every refusal is a
// problem+json whose code, status and title come from the status table.

const anyValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString('latin1')))
const credentials = tenants({ tenant123: 'api_token_abc123' })
const valid = '{"event":"customer_update","data":{"id":"1234","status":"active"}}'

const headers = fc.record(
  {
    authorization: fc.oneof(anyValue, fc.constantFrom('Basic dGVuYW50MTIzOmFwaV90b2tlbl9hYmMxMjM=', 'Bearer api_token_abc123', 'Basic', 'Bearer')),
    'x-api-key': fc.oneof(anyValue, fc.constant('api_token_abc123')),
    'content-type': fc.oneof(anyValue, fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain')),
    'content-length': fc.oneof(anyValue, fc.nat().map(String)),
    'content-encoding': anyValue,
    'webhook-id': anyValue,
    'webhook-timestamp': fc.oneof(anyValue, fc.constant(String(Math.floor(Date.now() / 1000)))),
    'webhook-signature': anyValue,
    'idempotency-key': anyValue,
  },
  { requiredKeys: [] },
)
const body = fc.oneof(fc.constant(valid), fc.jsonValue().map((value) => JSON.stringify(value)), fc.string({ unit: 'binary' })).map((text) => Buffer.from(text))
const bytes = fc.oneof(body, fc.uint8Array({ maxLength: 300 }).map((raw) => Buffer.from(raw)))

describe('verify() over untrusted input (property-based)', () => {
  const verifier = createWebhookVerifier({
    auth: [basic(credentials), bearer(credentials), header('X-Api-Key', credentials), standardWebhooks({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', tenant: 'tenant123' })],
    limit: 200,
    maxDepth: 8,
    dedupe: true,
  })

  it('settles for any method, headers and body; every refusal is a problem from the status table', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST', 'POST', 'GET', 'PUT', undefined), headers, bytes, async (method, given, raw) => {
        const result = await verifier.verify({ method, headers: given, body: { kind: 'bytes', bytes: raw } })
        if (result.ok || result.problem === undefined) return
        const { code, status, title } = result.problem
        expect(PROBLEMS).toHaveProperty([code])
        expect({ status, title }).toEqual(PROBLEMS[code])
        expect(result.response.status).toBe(status)
        expect(result.response.headers['content-type']).toBe('application/problem+json')
        // Bad input is never a server error.
        expect(status).toBeLessThan(500)
      }),
    )
  })
})
