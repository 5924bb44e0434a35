import { hash, randomBytes, timingSafeEqual } from 'node:crypto'

type Awaitable<T> = T | Promise<T>

/**
 * Where tokens live, for every scheme. Give a static map with {@link tenants},
 * or implement one or both lookups against your database.
 *
 * A token is either the plain token or its SHA-256 digest written
 * `sha256:<64 hex digits>` (see {@link hashToken}), so plain tokens need not
 * sit in configuration.
 */
export interface Credentials {
  /**
   * Live tokens of `tenant` (several during a rotation), or `undefined` when
   * the tenant is unknown. Used by schemes that name the tenant: `basic()`.
   */
  tokensOf?(tenant: string): Awaitable<readonly string[] | undefined>
  /**
   * The tenant owning the token whose SHA-256 digest (lower-case hex) is
   * given, or `undefined`. Used by schemes where the token alone names the
   * tenant: `bearer()` and `header()`.
   */
  tenantOf?(sha256Hex: string): Awaitable<string | undefined>
}

/**
 * One tenant's credential, for a scheme that both verifies it (a receiver)
 * and attaches it (a forwarder or client): one config describes both sides.
 * Schemes where the token alone names the tenant default `tenant` to "default".
 */
export interface Identity {
  tenant?: string
  token: string
}

/** True when `value` is an {@link Identity} rather than a credentials store. */
export function isIdentity(value: Credentials | Identity): value is Identity {
  return typeof (value as Partial<Identity> | null)?.token === 'string'
}

/** The credentials store holding exactly `identity`. */
export function identityCredentials(identity: Identity, scheme: string): Credentials {
  const tenant = identity.tenant ?? 'default'
  if (typeof tenant !== 'string' || tenant === '' || identity.token === '') {
    throw new TypeError(`${scheme}(): an identity needs a non-empty "token" (and "tenant" when given)`)
  }
  return tenants({ [tenant]: identity.token })
}

/** The checks a scheme runs; built once per scheme by {@link resolveCredentials}. */
export interface CredentialCheck {
  /** The tenant if `token` is live for `tenant` (or, without a tenant, for anyone). */
  verify(token: string, tenant?: string): Awaitable<string | undefined>
  /**
   * True for {@link tenants} maps and identities, which never change: the
   * same token always gets the same verdict. A lookup may revoke a token at
   * any moment, so its verdicts are never reused.
   */
  readonly stable: boolean
}

/**
 * The stores {@link tenants} built, which cannot change, so their verdicts
 * may be remembered. A set rather than a mark on the object: a spread or
 * `Object.create()` of a store, with a lookup added, must not inherit it.
 */
const STABLE_STORES = new WeakSet<object>()

const DIGEST_PREFIX = 'sha256:'
const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/i
// Compared against when the tenant is unknown, so that path costs what a wrong token costs.
const DECOY = [randomBytes(32)]

function sha256(value: string): Buffer {
  // The one-shot crypto.hash (Node 20.12+) skips the Hash object createHash builds.
  return hash('sha256', value, 'buffer')
}

/**
 * The `sha256:` form of a token, for configuration and databases.
 *
 * @example
 * hashToken('api_token_abc123') // 'sha256:…'
 */
export function hashToken(token: string): string {
  return DIGEST_PREFIX + sha256(token).toString('hex')
}

function digestOf(entry: unknown, where: string): Buffer {
  if (typeof entry !== 'string' || entry === '') {
    throw new TypeError(`${where}: every token must be a non-empty string`)
  }
  if (!entry.startsWith(DIGEST_PREFIX)) return sha256(entry)
  if (!DIGEST_PATTERN.test(entry)) {
    throw new TypeError(`${where}: a "sha256:" token must be followed by 64 hex digits; use hashToken(token)`)
  }
  return Buffer.from(entry.slice(DIGEST_PREFIX.length), 'hex')
}

/** True when `digest` equals one of `candidates`; always compares against all of them. */
function matchesAny(digest: Buffer, candidates: readonly Buffer[]): boolean {
  let found = false
  for (const candidate of candidates) {
    // Both sides are 32-byte SHA-256 digests, so timingSafeEqual cannot throw.
    if (timingSafeEqual(digest, candidate)) found = true
  }
  return found
}

/**
 * A static credentials map: tenant ID -> one token or several (rotation).
 *
 * @example
 * tenants({ tenant123: ['api_token_abc123', 'sha256:5e88…'] })
 */
export function tenants(map: Readonly<Record<string, string | readonly string[]>>): Credentials {
  if (map === null || typeof map !== 'object') {
    throw new TypeError('tenants(): expected an object of tenant ID -> token(s), e.g. tenants({ tenant123: "api_token_abc123" })')
  }
  const byTenant = new Map<string, string[]>()
  const byDigest = new Map<string, string>()
  for (const [tenant, value] of Object.entries(map) as Array<[string, unknown]>) {
    const tokens: unknown = typeof value === 'string' ? [value] : value
    if (tenant === '' || !Array.isArray(tokens) || tokens.length === 0) {
      throw new TypeError(`tenants(): tenant "${tenant}" needs a non-empty ID and at least one token`)
    }
    for (const token of tokens as unknown[]) {
      const hex = digestOf(token, `tenants(): tenant "${tenant}"`).toString('hex')
      const owner = byDigest.get(hex)
      if (owner !== undefined && owner !== tenant) {
        throw new TypeError(`tenants(): tenants "${owner}" and "${tenant}" share a token; a token must name one tenant`)
      }
      byDigest.set(hex, tenant)
    }
    byTenant.set(tenant, [...(tokens as string[])])
  }
  const store: Credentials = Object.freeze({
    tokensOf: (tenant: string) => byTenant.get(tenant),
    tenantOf: (hex: string) => byDigest.get(hex),
  })
  STABLE_STORES.add(store)
  return store
}

/**
 * Compiles `credentials` into the check a scheme runs. A static map is
 * digested once here; a database lookup is called per request.
 */
export function resolveCredentials(credentials: Credentials, scheme: string, needs: 'tokensOf' | 'tenantOf'): CredentialCheck {
  if (credentials === null || typeof credentials !== 'object' || typeof credentials[needs] !== 'function') {
    throw new TypeError(
      `${scheme}(): credentials must provide ${needs}(), e.g. ${scheme}(tenants({ tenant123: "api_token_abc123" }))`,
    )
  }
  const stable = STABLE_STORES.has(credentials)
  return { ...(needs === 'tokensOf' ? byTenantCheck(credentials, scheme) : byDigestCheck(credentials, scheme)), stable }
}

function byTenantCheck(credentials: Credentials, scheme: string): Omit<CredentialCheck, 'stable'> {
  const tokensOf = credentials.tokensOf!.bind(credentials)
  const where = `${scheme}(): tokensOf()`
  const cache = new WeakMap<readonly string[], Buffer[]>()
  const digests = (tokens: readonly string[] | undefined): readonly Buffer[] => {
    if (tokens === undefined || tokens.length === 0) return DECOY
    let cached = cache.get(tokens)
    if (cached === undefined) {
      cached = tokens.map((token) => digestOf(token, where))
      cache.set(tokens, cached)
    }
    return cached
  }
  const check = (token: string, tokens: readonly string[] | undefined, tenant: string): string | undefined =>
    matchesAny(sha256(token), digests(tokens)) ? tenant : undefined
  return {
    verify(token, tenant) {
      if (tenant === undefined) return undefined
      const tokens = tokensOf(tenant)
      return tokens instanceof Promise ? tokens.then((t) => check(token, t, tenant)) : check(token, tokens, tenant)
    },
  }
}

function byDigestCheck(credentials: Credentials, scheme: string): Omit<CredentialCheck, 'stable'> {
  const tenantOf = credentials.tenantOf!.bind(credentials)
  const check = (tenant: string | undefined): string | undefined => {
    if (tenant !== undefined && (typeof tenant !== 'string' || tenant === '')) {
      throw new TypeError(`${scheme}(): tenantOf() must return a non-empty tenant ID or undefined`)
    }
    return tenant
  }
  return {
    verify(token, tenant) {
      // Looking up by digest leaks nothing usable through timing: an attacker
      // cannot steer which digest bits their guess shares with a real one.
      const owner = tenantOf(sha256(token).toString('hex'))
      const matches = (found: string | undefined): string | undefined =>
        found !== undefined && (tenant === undefined || found === tenant) ? found : undefined
      return owner instanceof Promise ? owner.then((t) => matches(check(t))) : matches(check(owner))
    },
  }
}
