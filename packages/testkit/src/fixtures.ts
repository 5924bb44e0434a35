import { type WebhookOptions, basic, bearer, header, tenants } from '@webhook-trigger/core'
import type { SendOptions } from './http-client.js'

export const TENANT = 'tenant123'
export const TOKEN = 'api_token_abc123'
/** A second live token of TENANT, as during a rotation. */
export const NEXT_TOKEN = 'api_token_next_456'
export const API_KEY = 'crm_key_123'
/** The README's example event, 66 bytes. */
export const REFERENCE_PAYLOAD = '{"event":"customer_update","data":{"id":"1234","status":"active"}}'

export const credentials = tenants({
  [TENANT]: [TOKEN, NEXT_TOKEN],
  'tenänt-ü': 'pässwörd:with:colons',
  crm: API_KEY,
})

/** The routes every harness mounts: Basic or Bearer, or an API key header. */
export const defaultOptions: WebhookOptions = { auth: [basic(credentials), bearer(credentials)] }
export const apiKeyOptions: WebhookOptions = { auth: [basic(credentials), header('X-Api-Key', credentials)] }

export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64')
}

/** A request every configuration accepts; tests break one thing in it. */
export function validRequest(overrides: SendOptions & { headers?: Record<string, string> } = {}): SendOptions {
  const { headers, ...rest } = overrides
  return {
    method: 'POST',
    path: '/webhook',
    body: REFERENCE_PAYLOAD,
    ...rest,
    headers: { authorization: basicAuth(TENANT, TOKEN), 'content-type': 'application/json', ...headers },
  }
}

/** `validRequest` without one header. */
export function without(name: string, options: SendOptions = validRequest()): SendOptions {
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).filter(([key]) => key !== name))
  return { ...options, headers }
}

/** An envelope whose objects nest `depth` levels deep in all (the envelope is level 1, data level 2). */
export function nested(depth: number): string {
  const data = '{"a":'.repeat(depth - 1) + '1' + '}'.repeat(depth - 1)
  return `{"event":"deep","data":${data}}`
}
