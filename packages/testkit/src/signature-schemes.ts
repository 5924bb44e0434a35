// The signature schemes the conformance suite runs, with their secrets and
// signers. No vitest here: a host in another process (Bun, Deno) imports
// this module to configure the same schemes (scenarios.ts).
import { Buffer } from 'node:buffer'
import { createHmac } from 'node:crypto'
import {
  type AuthScheme,
  type ProblemCode,
  type SignatureOptions,
  githubSignature,
  hmacSignature,
  standardWebhooks,
  stripeSignature,
} from '@webhook-trigger/core'

/** A fixed "now" for every scheme under test, so "one second outside the tolerance" is exact. */
export const NOW = Date.UTC(2026, 10, 28, 10, 0, 0)
export const NOW_SECONDS = NOW / 1000
const nowSeconds = NOW_SECONDS

export const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
export const OLD_STANDARD_SECRET = 'whsec_' + Buffer.from('the previous secret, still live').toString('base64')
export const GITHUB_SECRET = "It's a Secret to Everybody"
export const STRIPE_SECRET = 'whsec_test_stripe_secret_123'
export const HMAC_SECRET = 'shpss_generic_secret'

/** Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body` with the base64-decoded secret. */
export function signStandard(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  return 'v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')
}

export function signGithub(secret: string, body: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex')
}

export function signStripe(secret: string, timestamp: number, body: string | Buffer): string {
  return `t=${timestamp},v1=` + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
}

export interface SchemeCase {
  name: string
  scheme: (options: SignatureOptions) => AuthScheme
  /** Headers for `body` signed at `timestamp` with `secret`, delivery id `id`. */
  sign(body: string | Buffer, options?: { timestamp?: number; secret?: string; id?: string }): Record<string, string>
  /** Break one header: the problem code expected, and how. */
  missing: { headers: (valid: Record<string, string>) => Record<string, string>; code: ProblemCode }
  malformed: (valid: Record<string, string>) => Record<string, string>
  /** Whether the scheme checks a timestamp. */
  timed: boolean
  /** Whether it has a delivery id (replay protection). */
  replayable: boolean
  /** A secret still live during a rotation, and one never configured. */
  previousSecret: string
  unknownSecret: string
}

const omit = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name))

export const SIGNATURE_SCHEMES: SchemeCase[] = [
  {
    name: 'standardWebhooks()',
    scheme: (options) => standardWebhooks({ secret: [OLD_STANDARD_SECRET, STANDARD_SECRET], tenant: 'acme' }, options),
    // A rotated list with junk entries: unknown versions and undecodable ones are skipped.
    sign: (body, { timestamp = nowSeconds, secret = STANDARD_SECRET, id = 'msg_1' } = {}) => ({
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v2,AAAA v1,%%% v1a,x ${signStandard(secret, id, timestamp, body)} v1,${Buffer.alloc(32).toString('base64')}`,
    }),
    missing: { headers: (valid) => omit(valid, 'webhook-timestamp'), code: 'signature.missing' },
    malformed: (valid) => ({ ...valid, 'webhook-timestamp': `${valid['webhook-timestamp']}.5` }),
    timed: true,
    replayable: true,
    previousSecret: OLD_STANDARD_SECRET,
    unknownSecret: 'whsec_' + Buffer.from('never configured').toString('base64'),
  },
  {
    name: 'githubSignature()',
    scheme: (options) => githubSignature({ secret: ['old github secret', GITHUB_SECRET], tenant: 'acme' }, options),
    sign: (body, { secret = GITHUB_SECRET, id = 'd1f0' } = {}) => ({ 'x-hub-signature-256': signGithub(secret, body), 'x-github-delivery': id }),
    missing: {
      headers: (valid) => ({ ...omit(valid, 'x-hub-signature-256'), 'x-hub-signature': 'sha1=0000000000000000000000000000000000000000' }),
      code: 'signature.missing',
    },
    malformed: (valid) => ({ ...valid, 'x-hub-signature-256': valid['x-hub-signature-256']!.replace('sha256=', 'sha1=') }),
    timed: false,
    replayable: true,
    previousSecret: 'old github secret',
    unknownSecret: 'never configured',
  },
  {
    name: 'stripeSignature()',
    scheme: (options) => stripeSignature({ secret: ['whsec_old', STRIPE_SECRET], tenant: 'acme' }, options),
    sign: (body, { timestamp = nowSeconds, secret = STRIPE_SECRET } = {}) => ({ 'stripe-signature': signStripe(secret, timestamp, body) }),
    missing: { headers: (valid) => ({ 'stripe-signature': valid['stripe-signature']!.replace(/^t=\d+,/, '') }), code: 'signature.malformed' },
    malformed: (valid) => ({ 'stripe-signature': valid['stripe-signature']!.replace(/^t=/, 't=-') }),
    timed: true,
    replayable: false,
    previousSecret: 'whsec_old',
    unknownSecret: 'whsec_never_configured',
  },
  {
    name: 'hmacSignature()',
    scheme: (options) =>
      hmacSignature(
        { header: 'X-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'hmac ', timestampHeader: 'X-Timestamp', idHeader: 'X-Delivery', ...options },
        { secret: ['old', HMAC_SECRET], tenant: 'acme' },
      ),
    sign: (body, { timestamp = nowSeconds, secret = HMAC_SECRET, id = 'del_1' } = {}) => ({
      'x-signature': 'hmac ' + createHmac('sha512', secret).update(`${timestamp}.`).update(body).digest('base64'),
      'x-timestamp': String(timestamp),
      'x-delivery': id,
    }),
    missing: { headers: (valid) => omit(valid, 'x-timestamp'), code: 'signature.missing' },
    malformed: (valid) => ({ ...valid, 'x-signature': valid['x-signature']!.slice(5) }),
    timed: true,
    replayable: true,
    previousSecret: 'old',
    unknownSecret: 'never configured',
  },
]
