import type { Random } from './random.js'
import { type RequestModel, serialise } from './requests.js'

/** Turns a valid request into the bytes of a broken (or, for `valid`, the same) one. */
export type Mutation = (model: RequestModel, rng: Random) => Buffer

const bytesOf = (model: RequestModel) => serialise(model).bytes

function flip(bytes: Buffer, from: number, to: number, rng: Random): Buffer {
  const copy = Buffer.from(bytes)
  if (to <= from) return copy
  for (let n = rng.int(1, 4); n > 0; n--) {
    const at = rng.int(from, to - 1)
    copy[at] = rng.chance(0.5) ? copy[at]! ^ (1 << rng.int(0, 7)) : rng.int(0, 255)
  }
  return copy
}

function withHeader(model: RequestModel, name: string, value: string): RequestModel {
  return { ...model, headers: [...model.headers, [name, value]] }
}

function without(model: RequestModel, name: string): RequestModel {
  return { ...model, headers: model.headers.filter(([key]) => key.toLowerCase() !== name) }
}

const METHODS = ['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'post', 'P0ST', 'POST ', '', 'X'.repeat(100), 'BREW']
const PATHS = [
  '/webhook/',
  '/webhook?x=1',
  '/webhook?%zz',
  '//webhook',
  '/WEBHOOK',
  '/webhook/../webhook',
  '/%77ebhook',
  '/%zz',
  '/webhook#frag',
  '/webhook/signed/',
  '/webhook/signedx',
  '/',
  '*',
  'http://127.0.0.1/webhook',
  'http://169.254.169.254/latest',
  '/' + 'a'.repeat(9000),
  '/webhook;x',
  '/admin/events/%E0%A4%A/redeliver',
]
const AUTHORIZATIONS = [
  'Basic',
  'Basic ',
  'Basic !!!!',
  'Basic ' + Buffer.from('tenant123').toString('base64'),
  'Basic ' + Buffer.from(':').toString('base64'),
  'Basic ' + Buffer.from([0xff, 0xfe, 0x3a, 0x00]).toString('base64'),
  'Basic ' + 'A'.repeat(5000),
  'basic ' + Buffer.from('tenant123:api_token_abc123').toString('base64'),
  'Bearer',
  'Bearer  api_token_abc123',
  'Bearer api token',
  'Bearer api_token_abc12',
  'Bearer ' + 'x'.repeat(5000),
  'Digest username="tenant123"',
  'Negotiate YII=',
  'ApiKey crm_key_123',
  'Token crm_key_123',
  '',
  ' ',
  'BasicdGVuYW50MTIzOmFwaV90b2tlbl9hYmMxMjM=',
]
const CONTENT_TYPES = ['', 'text/plain', 'application/json; charset=latin1', 'application/json;;', 'application/', '*/*', 'application/xml+json', 'multipart/form-data; boundary=x', 'application/json; charset="utf-8"', 'Application/JSON']
const LENGTHS = ['0', '1', '-1', 'abc', '1e2', '0x42', ' 66', '66 66', '99999999999999999999', '1048577', '4294967296', '+66', '']
const BODIES = [
  '',
  ' ',
  'null',
  '[]',
  '"x"',
  '{"event":"customer_update"}',
  '{"event":"","data":{}}',
  '{"event":"a","data":[]}',
  '{"__proto__":{"polluted":1},"event":"a","data":{}}',
  '{"event":"a","data":{"constructor":{"prototype":{"x":1}}}}',
  '{"event":"a","data":{"\\u005f_proto__":{}}}',
  '{"event":"a","data":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
  '{"event":"a","data":{"n":1e999999}}',
  '{"type":"contact.updated"}',
  '{"type":"contact.updated","contact":null}',
  '{"type":"contact.updated","contact":{"id":{"nested":true},"status":[]}}',
  '\ufeff{"event":"a","data":{}}',
  '{"event":"a","data":{}',
]

/** Every kind of damage the fuzzer does, by name, so the report can say which found a failure. */
export const MUTATIONS: Record<string, Mutation> = {
  valid: (model) => bytesOf(model),
  'flip-header': (model, rng) => {
    const { bytes, head } = serialise(model)
    // Never the final CRLF CRLF: a header block that never ends waits for headersTimeout, not a finding.
    return flip(bytes, 0, head - 4, rng)
  },
  'flip-body': (model, rng) => {
    const { bytes, head } = serialise(model)
    return flip(bytes, head, bytes.length, rng)
  },
  'truncated-body': (model, rng) => {
    const { bytes, head } = serialise({ ...model, framing: model.framing === 'none' ? 'length' : model.framing })
    return bytes.subarray(0, rng.int(head, bytes.length - 1))
  },
  'over-long-body': (model, rng) => {
    const extra = rng.pick([rng.bytes(rng.int(1, 64)), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.alloc(rng.int(1, 64), 'x')])
    if (rng.chance(0.3)) return bytesOf({ ...model, body: Buffer.alloc(1024 * 1024 + rng.int(1, 4096), '{') })
    return Buffer.concat([bytesOf(model), extra])
  },
  'wrong-content-length': (model, rng) => {
    const value = rng.chance(0.5) ? String(Math.max(0, model.body.length + rng.int(-model.body.length, 40))) : rng.pick(LENGTHS)
    return bytesOf(withHeader({ ...model, framing: 'none' }, 'Content-Length', value))
  },
  'duplicated-header': (model, rng) => {
    const [name, value] = rng.pick([...model.headers, ['Content-Length', String(model.body.length + rng.int(-5, 5))] as [string, string], ['Transfer-Encoding', 'chunked'] as [string, string]])
    const again = rng.chance(0.5) ? value : rng.pick(['x', '', value + ' ', value.toUpperCase()])
    return bytesOf(withHeader(model, rng.chance(0.5) ? name : name.toLowerCase(), again))
  },
  'oversized-header': (model, rng) => {
    if (rng.chance(0.3)) {
      const many: Array<[string, string]> = Array.from({ length: rng.int(100, 3000) }, (_, i) => [`X-Many-${i}`, 'v'])
      return bytesOf({ ...model, headers: [...model.headers, ...many] })
    }
    const name = rng.pick(['Authorization', 'X-Api-Key', 'Content-Type', 'X-Padding', 'webhook-signature', 'Idempotency-Key'])
    return bytesOf(withHeader(without(model, name.toLowerCase()), name, 'a'.repeat(rng.int(4000, 70_000))))
  },
  'bad-chunked': (model, rng) => {
    const head = serialise({ ...model, body: Buffer.alloc(0), framing: 'chunked' })
    const prefix = head.bytes.subarray(0, head.head)
    const body = model.body.toString('latin1')
    const broken = rng.pick([
      `zz\r\n${body}\r\n0\r\n\r\n`,
      `-1\r\n${body}\r\n0\r\n\r\n`,
      `ffffffffffffffff\r\n${body}\r\n0\r\n\r\n`,
      `${body.length.toString(16)}\r\n${body}0\r\n\r\n`,
      `${body.length.toString(16)};ext=${'e'.repeat(rng.int(1, 9000))}\r\n${body}\r\n0\r\n\r\n`,
      `${(body.length + 10).toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      `${body.length.toString(16)}\r\n${body}\r\n`,
      `${body.length.toString(16)}\n${body}\n0\n\n`,
      `${body.length.toString(16)}\r\n${body}\r\n0\r\nTrailer: x\r\n\r\n`,
      `0\r\n\r\n${body}`,
    ])
    const framed = rng.chance(0.2) ? Buffer.concat([Buffer.from(prefix.toString('latin1').replace('\r\n\r\n', `\r\nContent-Length: ${body.length}\r\n\r\n`), 'latin1')]) : prefix
    return Buffer.concat([framed, Buffer.from(broken, 'latin1')])
  },
  'random-method': (model, rng) => bytesOf({ ...model, method: rng.chance(0.8) ? rng.pick(METHODS) : rng.bytes(rng.int(1, 12)).toString('latin1') }),
  'random-path': (model, rng) => bytesOf({ ...model, path: rng.chance(0.85) ? rng.pick(PATHS) : '/' + rng.bytes(rng.int(1, 40)).toString('latin1') }),
  'random-authorization': (model, rng) => {
    const value = rng.chance(0.85) ? rng.pick(AUTHORIZATIONS) : `${rng.pick(['Basic', 'Bearer', 'X'])} ${rng.bytes(rng.int(1, 60)).toString('base64')}`
    const stripped = rng.chance(0.5) ? without(without(model, 'authorization'), 'x-api-key') : model
    return bytesOf(withHeader(without(stripped, 'authorization'), rng.pick(['Authorization', 'X-Api-Key']), value))
  },
  'random-content-type': (model, rng) => bytesOf(withHeader(without(model, 'content-type'), 'Content-Type', rng.pick(CONTENT_TYPES))),
  'random-body': (model, rng) => {
    const body = rng.chance(0.8) ? Buffer.from(rng.pick(BODIES)) : rng.bytes(rng.int(0, 300))
    return bytesOf({ ...model, body })
  },
  'content-encoding': (model, rng) => bytesOf(withHeader(model, 'Content-Encoding', rng.pick(['gzip', 'identity', 'br', 'x']))),
}

export const MUTATION_NAMES = Object.keys(MUTATIONS)
