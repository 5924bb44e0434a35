import { type SignatureOptions, type SignatureSecrets, failure, firstHeader, signatureScheme } from './signature.js'
import type { AuthScheme } from './scheme.js'

const SHA256 = /^sha256=([0-9a-f]{64})$/i

/**
 * GitHub style: `X-Hub-Signature-256: sha256=<hex>`, an HMAC-SHA256 of the
 * body with the webhook secret. `X-GitHub-Delivery` is the delivery id for
 * replay protection (GitHub sends no timestamp).
 *
 * @example
 * webhook({ auth: githubSignature({ secret: process.env.GITHUB_WEBHOOK_SECRET }), envelope: false })
 */
export function githubSignature(secrets: SignatureSecrets, options?: SignatureOptions): AuthScheme {
  return signatureScheme(
    {
      name: 'github',
      where: 'githubSignature()',
      challengeScheme: 'GitHubSignature',
      algorithm: 'sha256',
      keyOf: (secret) => Buffer.from(secret, 'utf8'),
      used: (headers) => headers['x-hub-signature-256'] !== undefined || headers['x-hub-signature'] !== undefined,
      read(headers) {
        const value = firstHeader(headers, 'x-hub-signature-256')
        if (value === undefined) return failure('signature.missing', 'Send X-Hub-Signature-256; the SHA-1 X-Hub-Signature is not accepted.')
        const hex = SHA256.exec(value.trim())?.[1]
        if (hex === undefined) return failure('signature.malformed', 'X-Hub-Signature-256 must be "sha256=" and 64 hex digits.')
        return { signatures: [Buffer.from(hex, 'hex')], prefix: '', deliveryId: firstHeader(headers, 'x-github-delivery') }
      },
    },
    secrets,
    options,
  )
}
