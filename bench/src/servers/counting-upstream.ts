import { createServer } from 'node:http'
import type { Arrivals, FromUpstream, ToUpstream } from '../drain-protocol.js'
import { accepted } from './accepted.js'
import { serve } from './serve.js'

// The drain's upstream: answers 202 like `upstream`, and counts arrivals by
// their Idempotency-Key, so the runner can prove every event arrived exactly once.

const now = () => Number(process.hrtime.bigint()) / 1e6
let prefix = ''
let counts = new Uint32Array(0)
let firstAt = new Float64Array(0)
let total = 0
let stray = 0
let lastAt = 0

function arrive(key: string | string[] | undefined): void {
  total++
  lastAt = now()
  const index = typeof key === 'string' && key.startsWith(prefix) ? Number(key.slice(prefix.length)) : NaN
  if (!Number.isInteger(index) || index < 0 || index >= counts.length) {
    stray++
    return
  }
  const seen = counts[index]!
  counts[index] = seen + 1
  if (seen === 0) firstAt[index] = lastAt
}

function arrivals(times: boolean): Arrivals {
  let once = 0
  let duplicated = 0
  for (const count of counts) {
    if (count === 1) once++
    else if (count > 1) duplicated++
  }
  const result: Arrivals = { total, once, duplicated, missing: counts.length - once - duplicated, stray, lastAt }
  if (times) result.firstAt = Array.from(firstAt).filter((_, i) => counts[i]! > 0)
  return result
}

process.on('message', (message: ToUpstream) => {
  if (message.type === 'count') {
    ;({ prefix } = message)
    counts = new Uint32Array(message.n)
    firstAt = new Float64Array(message.n)
    total = stray = lastAt = 0
    process.send!({ type: 'arrivals', arrivals: arrivals(false) } satisfies FromUpstream)
  } else if (message.type === 'arrivals') {
    process.send!({ type: 'arrivals', arrivals: arrivals(message.times) } satisfies FromUpstream)
  }
})

const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    arrive(req.headers['idempotency-key'])
    accepted(res)
  })
})

serve(server)
