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

/**
 * The README's example envelope with a padding field inside `data`, so it stays a
 * valid envelope, grown to exactly `size` bytes.
 */
export function paddedPayload(size: number): string {
  const empty = JSON.stringify({ event: 'customer_update', data: { id: '1234', status: 'active', padding: '' } })
  if (size <= empty.length) return REFERENCE_PAYLOAD
  return JSON.stringify({ event: 'customer_update', data: { id: '1234', status: 'active', padding: 'x'.repeat(size - empty.length) } })
}

/** How a configuration's requests prove who sends them. */
export type Credential = 'none' | 'basic' | 'bearer' | 'github-hmac'

export function basicHeader(): string {
  return `Basic ${Buffer.from(`${TENANT}:${TOKEN}`).toString('base64')}`
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
