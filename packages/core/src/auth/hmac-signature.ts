import type { IncomingHttpHeaders } from 'node:http'
import { checkOptions, optionKeys } from '@webhook-trigger/client'
import { type SignatureOptions, type SignatureSecrets, failure, firstHeader, signatureScheme } from './signature.js'
import type { AuthScheme } from './scheme.js'

export interface HmacSignatureOptions extends SignatureOptions {
  /** The header carrying the signature, e.g. `X-Signature`. */
  header: string
  /** @default "sha256" */
  algorithm?: 'sha256' | 'sha512'
  /** How the signature is written. @default "hex" */
  encoding?: 'hex' | 'base64'
  /** Text before the signature, e.g. `sha256=`. @default "" */
  prefix?: string
  /** A header carrying Unix seconds; then `timestamp.body` is signed and the tolerance applies. */
  timestampHeader?: string
  /** A header carrying the delivery id, for replay protection. */
  idHeader?: string
}

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const DECODERS = {
  hex: /^(?:[0-9a-fA-F]{2})+$/,
  base64: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
} as const

function headerName(where: string, option: string, value: unknown): string {
  if (typeof value !== 'string' || !FIELD_NAME.test(value)) throw new TypeError(`${where}: "${option}" must be a header name, e.g. "X-Signature"`)
  return value.toLowerCase()
}

/**
 * Any HMAC signature header, for the long tail of senders: choose the
 * header, algorithm, encoding, prefix and an optional timestamp header.
 *
 * @example
 * hmacSignature({ header: 'X-Shopify-Hmac-Sha256', encoding: 'base64' }, { secret: process.env.SHOPIFY_SECRET })
 */
const HMAC_KEYS = optionKeys<HmacSignatureOptions>()(
  'header', 'algorithm', 'encoding', 'prefix', 'timestampHeader', 'idHeader', 'tolerance', 'tenant', 'realm', 'now',
)

export function hmacSignature(options: HmacSignatureOptions, secrets: SignatureSecrets): AuthScheme {
  const where = 'hmacSignature()'
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: pass options, e.g. { header: "X-Signature" }`)
  checkOptions(where, options, HMAC_KEYS)
  const header = headerName(where, 'header', options.header)
  const timestampHeader = options.timestampHeader === undefined ? undefined : headerName(where, 'timestampHeader', options.timestampHeader)
  const idHeader = options.idHeader === undefined ? undefined : headerName(where, 'idHeader', options.idHeader)
  const algorithm = options.algorithm ?? 'sha256'
  const encoding = options.encoding ?? 'hex'
  const prefix = options.prefix ?? ''
  if (algorithm !== 'sha256' && algorithm !== 'sha512') throw new TypeError(`${where}: "algorithm" must be "sha256" or "sha512"`)
  if (encoding !== 'hex' && encoding !== 'base64') throw new TypeError(`${where}: "encoding" must be "hex" or "base64"`)

  return signatureScheme(
    {
      name: 'hmac',
      where,
      challengeScheme: 'HMAC',
      optionKeys: HMAC_KEYS,
      algorithm,
      keyOf: (secret) => Buffer.from(secret, 'utf8'),
      used: (headers: IncomingHttpHeaders) => headers[header] !== undefined,
      read(headers) {
        const value = firstHeader(headers, header)?.trim() ?? ''
        const encoded = value.startsWith(prefix) ? value.slice(prefix.length) : undefined
        if (encoded === undefined || !DECODERS[encoding].test(encoded)) {
          return failure('signature.malformed', `${options.header} must be ${prefix ? `"${prefix}" and ` : ''}a ${encoding} signature.`)
        }
        const timestamp = timestampHeader === undefined ? undefined : firstHeader(headers, timestampHeader)
        if (timestampHeader !== undefined && timestamp === undefined) return failure('signature.missing', `Send ${options.timestampHeader}.`)
        return {
          signatures: [Buffer.from(encoded, encoding)],
          prefix: timestamp === undefined ? '' : `${timestamp}.`,
          timestamp,
          deliveryId: idHeader === undefined ? undefined : firstHeader(headers, idHeader),
        }
      },
    },
    secrets,
    options,
  )
}
