import { createHmac } from 'node:crypto'
import type { Random } from './random.js'

/** A request before it is written: mutations change this, or the bytes written from it. */
export interface RequestModel {
  method: string
  path: string
  headers: Array<[string, string]>
  body: Buffer
  /** How the body is framed: a computed Content-Length, chunks, or nothing added. */
  framing: 'length' | 'chunked' | 'none'
}

/** A valid request the target accepts (202), built fresh for each fuzzed request. */
export type BaseRequest = (rng: Random) => RequestModel

const REFERENCE_PAYLOAD = '{"event":"customer_update","data":{"id":"1234","status":"active"}}'
const CRM_EVENT = '{"type":"contact.updated","contact":{"id":"1234","status":"active"}}'
/** The demo credentials and secret the examples start with. */
const TENANT = 'tenant123'
const TOKEN = 'api_token_abc123'
const DEMO_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const API_KEY = 'crm_key_123'

const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')

function signed(rng: Random): RequestModel {
  const id = `msg_${rng.int(0, 1e9)}`
  const timestamp = Math.floor(Date.now() / 1000)
  const key = Buffer.from(DEMO_SECRET.slice('whsec_'.length), 'base64')
  const signature = 'v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.${REFERENCE_PAYLOAD}`).digest('base64')
  return {
    method: 'POST',
    path: '/webhook/signed',
    headers: [
      ['Host', '127.0.0.1'],
      ['Content-Type', 'application/json'],
      ['webhook-id', id],
      ['webhook-timestamp', String(timestamp)],
      ['webhook-signature', signature],
    ],
    body: Buffer.from(REFERENCE_PAYLOAD),
    framing: 'length',
  }
}

/** The Express receiver example: Basic or Bearer at /webhook, Standard Webhooks at /webhook/signed. */
export const receiverRequest: BaseRequest = (rng) => {
  if (rng.chance(0.2)) return signed(rng)
  const authorization = rng.chance(0.5) ? basic(TENANT, TOKEN) : `Bearer ${TOKEN}`
  const headers: Array<[string, string]> = [
    ['Host', '127.0.0.1'],
    ['Authorization', authorization],
    ['Content-Type', rng.pick(['application/json', 'application/json; charset=utf-8', 'application/cloudevents+json'])],
  ]
  if (rng.chance(0.3)) headers.push(['Idempotency-Key', `evt_${rng.int(0, 1e6)}`])
  return { method: 'POST', path: '/webhook', headers, body: Buffer.from(REFERENCE_PAYLOAD), framing: rng.chance(0.15) ? 'chunked' : 'length' }
}

/** The intermediary example: the CRM's own event with its X-Api-Key. */
export const intermediaryRequest: BaseRequest = (rng) => ({
  method: 'POST',
  path: '/webhook',
  headers: [
    ['Host', '127.0.0.1'],
    ['X-Api-Key', API_KEY],
    ['Content-Type', 'application/json'],
  ],
  body: Buffer.from(CRM_EVENT),
  framing: rng.chance(0.15) ? 'chunked' : 'length',
})

/** Writes the request as HTTP/1.1 bytes; `head` is where the header block ends. */
export function serialise(model: RequestModel): { bytes: Buffer; head: number } {
  const headers = [...model.headers]
  if (model.framing === 'length') headers.push(['Content-Length', String(model.body.length)])
  if (model.framing === 'chunked') headers.push(['Transfer-Encoding', 'chunked'])
  const head = Buffer.from(`${model.method} ${model.path} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`, 'latin1')
  const body = model.framing === 'chunked' ? chunk(model.body) : model.body
  return { bytes: Buffer.concat([head, body]), head: head.length }
}

function chunk(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from('0\r\n\r\n')
  const cut = Math.ceil(body.length / 2)
  const parts = [body.subarray(0, cut), body.subarray(cut)].filter((part) => part.length > 0)
  return Buffer.concat([...parts.flatMap((part) => [Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]), Buffer.from('0\r\n\r\n')])
}
