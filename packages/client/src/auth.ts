/**
 * Credentials a sender attaches to each request. The client's helpers below
 * build one; so do core's `basic({ tenant, token })`, `bearer({ token })`
 * and `header(name, { token })`, which also verify them on a receiver.
 */
export interface OutboundAuth {
  /** `basic`, `bearer` or `header`. */
  readonly name: string
  /** Adds the credential header to `headers` (lower-case names). */
  attach(headers: Record<string, string>): void
}

/** Base64 of the UTF-8 bytes, with web APIs only (RFC 7617 section 2.1: charset UTF-8). */
function base64Utf8(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

function nonEmpty(where: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || /[\r\n]/.test(value)) {
    throw new TypeError(`${where}: "${name}" must be a non-empty single-line string`)
  }
  return value
}

/**
 * HTTP Basic: the tenant ID as user name, the inbound API token as password.
 *
 * @example
 * createClient({ url, auth: basicAuth('tenant123', 'api_token_abc123') })
 */
export function basicAuth(tenant: string, token: string): OutboundAuth {
  nonEmpty('basicAuth()', 'tenant', tenant)
  if (tenant.includes(':')) throw new TypeError('basicAuth(): "tenant" cannot contain ":" (RFC 7617)')
  const value = 'Basic ' + base64Utf8(`${tenant}:${nonEmpty('basicAuth()', 'token', token)}`)
  return { name: 'basic', attach: (headers) => void (headers.authorization = value) }
}

/**
 * `Authorization: Bearer <token>` (RFC 6750).
 *
 * @example
 * createClient({ url, auth: bearerAuth('api_token_abc123') })
 */
export function bearerAuth(token: string): OutboundAuth {
  const value = 'Bearer ' + nonEmpty('bearerAuth()', 'token', token)
  return { name: 'bearer', attach: (headers) => void (headers.authorization = value) }
}

/**
 * A custom header carrying the token, optionally after a prefix.
 *
 * @example
 * createClient({ url, auth: headerAuth('X-Api-Key', 'crm_key_123') })
 */
export function headerAuth(name: string, token: string, prefix = ''): OutboundAuth {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new TypeError('headerAuth(): "name" must be a header name, e.g. "X-Api-Key"')
  const key = name.toLowerCase()
  const value = prefix + nonEmpty('headerAuth()', 'token', token)
  return { name: 'header', attach: (headers) => void (headers[key] = value) }
}

/** True for anything that can attach credentials. */
export function isOutboundAuth(value: unknown): value is OutboundAuth {
  return typeof (value as Partial<OutboundAuth> | null)?.attach === 'function'
}
