/** Signs outbound webhooks the Standard Webhooks way; web APIs only, so it runs where the client runs. */
export interface Signer {
  /** The three Standard Webhooks headers for `body`, signed now with delivery id `id`. */
  headers(id: string, body: Uint8Array, now?: number): Promise<Record<string, string>>
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function base64(bytes: ArrayBuffer): string {
  let binary = ''
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * A Standard Webhooks signer for `whsec_<base64>` secrets: HMAC-SHA256 of
 * `id.timestamp.body`, sent as `webhook-id`, `webhook-timestamp` and
 * `webhook-signature: v1,<base64>`. Keep the id across retries; the
 * timestamp is each attempt's own.
 *
 * @example
 * createClient({ url, sign: standardWebhooksSigner(process.env.WEBHOOK_SECRET) })
 */
export function standardWebhooksSigner(secret: string): Signer {
  const encoded = typeof secret === 'string' && secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret
  if (typeof encoded !== 'string' || encoded === '' || !BASE64.test(encoded)) {
    throw new TypeError('standardWebhooksSigner(): the secret is "whsec_" followed by base64')
  }
  const keyBytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0))
  const key = crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const encoder = new TextEncoder()

  return {
    async headers(id, body, now = Date.now()) {
      const timestamp = String(Math.floor(now / 1000))
      const prefix = encoder.encode(`${id}.${timestamp}.`)
      const signed = new Uint8Array(prefix.byteLength + body.byteLength)
      signed.set(prefix)
      signed.set(body, prefix.byteLength)
      const mac = await crypto.subtle.sign('HMAC', await key, signed)
      return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${base64(mac)}` }
    },
  }
}

/** True for anything that can sign. */
export function isSigner(value: unknown): value is Signer {
  return typeof (value as Partial<Signer> | null)?.headers === 'function'
}
