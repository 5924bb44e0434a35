import { createHmac } from 'node:crypto'

// What every server and the load generator agree on. Servers read nothing
// else from the runner except PORT and UPSTREAM_URL.

export const TENANT = 'tenant123'
export const TOKEN = 'api_token_abc123'
/** The HMAC secret of the @octokit/webhooks peer. */
export const GITHUB_SECRET = 'bench_github_secret'
export const PATH = '/webhook'

/** The README's example event, 66 bytes. */
export const REFERENCE_PAYLOAD = '{"event":"customer_update","data":{"id":"1234","status":"active"}}'

/** One commit as GitHub's push event lists it: nested objects and arrays, as real payloads have. */
function commit(n: number) {
  const sha = ((n + 1) * 2654435761).toString(16).padStart(8, '0').repeat(5)
  const author = { name: `Developer ${n % 7}`, email: `dev${n % 7}@example.com`, username: `dev${n % 7}` }
  return {
    id: sha,
    tree_id: sha.split('').reverse().join(''),
    distinct: true,
    message: `Fix the parser for case ${n}: the caf\u00e9 \u201cquoted\u201d strings and "escapes" \\ kept`,
    timestamp: '2026-11-29T15:18:00+00:00',
    url: `https://github.com/acme/shop/commit/${sha}`,
    author,
    committer: author,
    added: [`src/feature-${n}.ts`],
    removed: [],
    modified: ['src/index.ts', `test/case-${n}.test.ts`],
  }
}

/**
 * The README's example event grown to exactly `size` bytes the way real
 * webhooks (GitHub, Stripe) are: `data` gains an array of objects, so the body
 * has hundreds of brackets, strings with escapes and non-ASCII text, not one
 * long string. Still a valid envelope.
 */
export function paddedPayload(size: number): string {
  const data: Record<string, unknown> = { id: '1234', status: 'active', commits: [], note: '' }
  const text = () => JSON.stringify({ event: 'customer_update', data })
  if (size <= text().length) return REFERENCE_PAYLOAD
  const commits = data.commits as unknown[]
  for (let n = 0; ; n++) {
    commits.push(commit(n))
    if (Buffer.byteLength(text()) > size) {
      commits.pop()
      break
    }
  }
  data.note = 'x'.repeat(size - Buffer.byteLength(text()))
  return text()
}

/** How a configuration's requests prove who sends them. */
export type Credential = 'none' | 'basic' | 'bearer' | 'github-hmac'

export function basicHeader(): string {
  return `Basic ${Buffer.from(`${TENANT}:${TOKEN}`).toString('base64')}`
}

/** The header that must differ per request for `credential`: GitHub's delivery id, which replay protection remembers. */
export function uniqueHeaderOf(credential: Credential): string | undefined {
  return credential === 'github-hmac' ? 'x-github-delivery' : undefined
}

/** The request headers for `credential`; the GitHub ones are signed over this exact body. */
export function requestHeaders(credential: Credential, body: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  switch (credential) {
    case 'basic':
      headers.authorization = basicHeader()
      break
    case 'bearer':
      headers.authorization = `Bearer ${TOKEN}`
      break
    case 'github-hmac':
      headers['x-github-event'] = 'push'
      headers['x-github-delivery'] = '72d3162e-cc78-11e3-81ab-4c9367dc0958'
      headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`
      break
    case 'none':
      break
  }
  return headers
}
