import { timingSafeEqual } from 'node:crypto'
import { basicHeader } from '../fixture.js'
import { referenceServer } from './reference.js'
import { serve } from './serve.js'

// Peer, and the reference for what Node itself can do: read the body, check
// Basic in constant time, JSON.parse, answer 202. No media type, size, UTF-8,
// depth or envelope checks.

const expected = Buffer.from(basicHeader())

function authorized(header: string | undefined): boolean {
  if (header === undefined) return false
  const given = Buffer.from(header)
  // timingSafeEqual throws on a length mismatch, so compare lengths first.
  return given.length === expected.length && timingSafeEqual(given, expected)
}

serve(referenceServer(authorized))
