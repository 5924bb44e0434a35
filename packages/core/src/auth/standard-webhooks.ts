import { type SignatureOptions, type SignatureSecrets, failure, firstHeader, signatureScheme } from './signature.js'
import type { AuthScheme } from './scheme.js'

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const ID = /^[\x21-\x7e]{1,256}$/
const PREFIX = 'whsec_'

/** `whsec_` + base64, the prefix optional, as the Standard Webhooks libraries read it. */
function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret
  if (encoded === '' || !BASE64.test(encoded)) {
    throw new TypeError('standardWebhooks(): a secret is "whsec_" followed by base64, e.g. "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"')
  }
  return Buffer.from(encoded, 'base64')
}

/**
 * Standard Webhooks (standardwebhooks.com, also Svix's `svix-` headers):
 * `webhook-id`, `webhook-timestamp` and `webhook-signature`, a space-separated
 * list of `v1,<base64>` HMAC-SHA256 signatures of `id.timestamp.body`.
 * Unknown versions and entries that do not decode are ignored.
 *
 * @example
 * webhook({ auth: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) })
 */
export function standardWebhooks(secrets: SignatureSecrets, options?: SignatureOptions): AuthScheme {
  return signatureScheme(
    {
      name: 'standard-webhooks',
      where: 'standardWebhooks()',
      challengeScheme: 'StandardWebhooks',
      algorithm: 'sha256',
      keyOf,
      used: (headers) =>
        ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'svix-id', 'svix-timestamp', 'svix-signature'].some(
          (name) => headers[name] !== undefined,
        ),
      read(headers) {
        const id = firstHeader(headers, 'webhook-id', 'svix-id')
        const timestamp = firstHeader(headers, 'webhook-timestamp', 'svix-timestamp')
        const list = firstHeader(headers, 'webhook-signature', 'svix-signature')
        if (id === undefined || timestamp === undefined || list === undefined) {
          return failure('signature.missing', 'Standard Webhooks need webhook-id, webhook-timestamp and webhook-signature together.')
        }
        if (!ID.test(id)) return failure('signature.malformed', 'webhook-id must be 1 to 256 printable characters.')
        const signatures = list
          .split(' ')
          .filter((entry) => entry.startsWith('v1,') && BASE64.test(entry.slice(3)))
          .map((entry) => Buffer.from(entry.slice(3), 'base64'))
        return { signatures, prefix: `${id}.${timestamp}.`, timestamp, deliveryId: id }
      },
    },
    secrets,
    options,
  )
}
