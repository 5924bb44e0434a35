import type { IncomingHttpHeaders } from 'node:http'
import { pino } from 'pino'
import { bench, describe } from 'vitest'
import { authenticate, basic, bearer, checkEnvelope, createWebhookVerifier, parseJson, tenants } from './index.js'

// The per-request work of a receiver, without HTTP around it: what the
// end-to-end benchmark (`npm run bench`) cannot split apart.
// Run: npx vitest bench --run packages/core/src/hot-path.bench.ts

const credentials = tenants({ tenant123: 'api_token_abc123' })
const basicOnly = [basic(credentials)]
const bearerOnly = [bearer(credentials)]
const both = [basic(credentials), bearer(credentials)]

/** Headers and rawHeaders as node:http hands them to the verifier. */
function request(authorization: string): { headers: IncomingHttpHeaders; rawHeaders: string[] } {
  const headers = { host: '127.0.0.1', 'content-type': 'application/json', 'content-length': '66', authorization }
  return { headers, rawHeaders: Object.entries(headers).flat() }
}

const basicRequest = request(`Basic ${Buffer.from('tenant123:api_token_abc123').toString('base64')}`)
const bearerRequest = request('Bearer api_token_abc123')

const REFERENCE = Buffer.from('{"event":"customer_update","data":{"id":"1234","status":"active"}}')
// About 10 KiB grown as real webhooks grow, an array of objects inside `data`
// (as `npm run bench -- --body-size 10k` pads it): ~100 brackets, escapes, non-ASCII.
const commit = (n: number) => {
  const author = { name: `Developer ${n % 7}`, email: `dev${n % 7}@example.com`, username: `dev${n % 7}` }
  const sha = String(n).padStart(40, 'a')
  return {
    id: sha,
    tree_id: sha,
    distinct: true,
    message: `Fix the parser for case ${n}: the café “quoted” strings and "escapes" \\ kept`,
    timestamp: '2026-11-29T15:18:00+00:00',
    url: `https://github.com/acme/shop/commit/${sha}`,
    author,
    committer: author,
    added: [`src/feature-${n}.ts`],
    removed: [],
    modified: ['src/index.ts', `test/case-${n}.test.ts`],
  }
}
const PADDED = Buffer.from(JSON.stringify({ event: 'customer_update', data: { id: '1234', status: 'active', commits: Array.from({ length: 16 }, (_, n) => commit(n)) } }))

/** Fails the benchmark loudly instead of timing a refusal. */
function expectOk(result: { ok: unknown }, what: string): void {
  if (result.ok !== true) throw new Error(`${what} did not pass: ${JSON.stringify(result)}`)
}

describe('authenticate()', () => {
  bench('basic(): parse and verify a Basic header', async () => {
    expectOk(await authenticate(basicOnly, basicRequest.headers, basicRequest.rawHeaders), 'basic')
  })

  bench('bearer(): verify a Bearer token', async () => {
    expectOk(await authenticate(bearerOnly, bearerRequest.headers, bearerRequest.rawHeaders), 'bearer')
  })

  bench('[basic(), bearer()]: a Basic header, as the README mounts them', async () => {
    expectOk(await authenticate(both, basicRequest.headers, basicRequest.rawHeaders), 'basic + bearer')
  })
})

describe.each([
  ['the 66-byte reference payload', REFERENCE],
  ['a 10 KiB envelope', PADDED],
])('JSON validation of %s', (_name, bytes) => {
  bench('parseJson() + checkEnvelope()', () => {
    const parsed = parseJson(bytes, 64)
    expectOk(parsed, 'parseJson')
    if (parsed.ok) expectOk(checkEnvelope(parsed.value), 'checkEnvelope')
  })

  // The floor: what a parser that checks nothing pays for the same bytes.
  bench('baseline: JSON.parse(bytes.toString())', () => {
    JSON.parse(bytes.toString('utf8'))
  })
})

// The whole pipeline minus HTTP and stream reading: what the parts above add
// up to once the verifier strings them together (awaits, result objects, id).
describe('createWebhookVerifier().verify()', () => {
  const body = { kind: 'bytes', bytes: REFERENCE } as const
  const verifier = createWebhookVerifier({ auth: both })
  // What observing costs: an onRequest hook, and a pino line per request (written to /dev/null).
  const hooked = createWebhookVerifier({ auth: both, onRequest: () => undefined })
  const logged = createWebhookVerifier({ auth: both, logger: pino(pino.destination('/dev/null')) })

  bench('the reference payload as bytes, Basic', async () => {
    expectOk(await verifier.verify({ method: 'POST', ...basicRequest, body }), 'verify')
  })

  bench('the same, with an onRequest hook', async () => {
    expectOk(await hooked.verify({ method: 'POST', ...basicRequest, body }), 'verify')
  })

  bench('the same, with a pino logger at info', async () => {
    expectOk(await logged.verify({ method: 'POST', ...basicRequest, body }), 'verify')
  })
})
