import { hash, timingSafeEqual } from 'node:crypto'
import { TENANT, TOKEN } from '../fixture.js'
import { referenceServer } from './reference.js'
import { serve } from './serve.js'

// The reference (node-http.ts) comparing SHA-256 digests instead of the raw
// header, as our receivers do (digests of equal length, never strings):
// decode Basic, hash the token, timingSafeEqual the digests. No other check.
// It shows what hashing alone costs against the reference, in the same run.

const expected = hash('sha256', TOKEN, 'buffer')

function authorized(header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('Basic ')) return false
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon === -1 || decoded.slice(0, colon) !== TENANT) return false
  return timingSafeEqual(hash('sha256', decoded.slice(colon + 1), 'buffer'), expected)
}

serve(referenceServer(authorized))
