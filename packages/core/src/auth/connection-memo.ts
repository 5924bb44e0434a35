import type { IncomingHttpHeaders } from 'node:http'
import type { AuthResult } from './authenticate.js'
import type { AuthScheme } from './scheme.js'

type Accepted = AuthResult & { ok: true }

/**
 * Remembers, per connection, the credential headers last accepted on it and
 * who they named, so the next request on a keep-alive connection that sends
 * the same headers skips decoding and hashing (in the benchmark, the largest
 * single cost of a Basic request after the body).
 *
 * Only for schemes whose verdict never changes (credentials from `tenants()`
 * or an identity): a lookup may revoke a token between two requests. Only
 * acceptances are remembered; anything else is verified in full. Headers are
 * compared in constant time: a proxy may multiplex several senders over one
 * connection, and the remembered value is another sender's credential.
 */
export interface ConnectionMemo {
  recall(connection: object, headers: IncomingHttpHeaders): Accepted | undefined
  remember(connection: object, headers: IncomingHttpHeaders, result: Accepted): void
}

interface Remembered {
  /** The value of each credential field, in `fields` order; undefined when absent. */
  values: Array<string | undefined>
  result: Accepted
}

/**
 * True when `given` equals `known`. Always walks all of `known` and reads
 * `given` at the same positions, so the time depends on neither where they
 * differ nor `given`'s length. Past its end, charCodeAt is NaN, which
 * bitwise operators read as 0: a mismatch against any character.
 */
function sameText(given: string, known: string): boolean {
  let difference = given.length ^ known.length
  for (let i = 0; i < known.length; i++) difference |= given.charCodeAt(i) ^ known.charCodeAt(i)
  return difference === 0
}

/** A memo for `schemes`, or undefined when any of them may change its verdict or reads no single header. */
export function connectionMemo(schemes: readonly AuthScheme[]): ConnectionMemo | undefined {
  if (!schemes.every((scheme) => scheme.stable === true && scheme.field !== undefined)) return undefined
  const fields = [...new Set(schemes.map((scheme) => scheme.field!))]
  const memo = new WeakMap<object, Remembered>()

  return {
    recall(connection, headers) {
      const remembered = memo.get(connection)
      if (remembered === undefined) return undefined
      let same = true
      for (let i = 0; i < fields.length; i++) {
        const given = headers[fields[i]!]
        const known = remembered.values[i]
        if (known === undefined || typeof given !== 'string') same = same && given === known
        else same = sameText(given, known) && same
      }
      return same ? remembered.result : undefined
    },
    remember(connection, headers, result) {
      const values = fields.map((field) => headers[field])
      if (values.every((value) => value === undefined || typeof value === 'string')) {
        memo.set(connection, { values, result })
      }
    },
  }
}
