import { type SignatureOptions, type SignatureSecrets, failure, firstHeader, signatureScheme } from './signature.js'
import type { AuthScheme } from './scheme.js'

const HEX64 = /^[0-9a-f]{64}$/i

/**
 * Stripe style: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`,
 * HMAC-SHA256 of `t.body` keyed with the whole `whsec_...` secret. Other
 * schemes in the header (v0) are ignored.
 *
 * @example
 * webhook({ auth: stripeSignature({ secret: process.env.STRIPE_WEBHOOK_SECRET }), envelope: false })
 */
export function stripeSignature(secrets: SignatureSecrets, options?: SignatureOptions): AuthScheme {
  return signatureScheme(
    {
      name: 'stripe',
      where: 'stripeSignature()',
      challengeScheme: 'StripeSignature',
      algorithm: 'sha256',
      keyOf: (secret) => Buffer.from(secret, 'utf8'),
      used: (headers) => headers['stripe-signature'] !== undefined,
      read(headers) {
        const value = firstHeader(headers, 'stripe-signature') ?? ''
        let timestamp: string | undefined
        const signatures: Buffer[] = []
        for (const item of value.split(',')) {
          const equals = item.indexOf('=')
          const key = item.slice(0, equals).trim()
          const part = item.slice(equals + 1).trim()
          if (key === 't') {
            if (timestamp !== undefined) return failure('signature.malformed', 'Stripe-Signature names t= more than once.')
            timestamp = part
          } else if (key === 'v1' && HEX64.test(part)) {
            signatures.push(Buffer.from(part, 'hex'))
          }
        }
        if (timestamp === undefined) return failure('signature.malformed', 'Stripe-Signature needs t=<unix seconds>.')
        return { signatures, prefix: `${timestamp}.`, timestamp }
      },
    },
    secrets,
    options,
  )
}
