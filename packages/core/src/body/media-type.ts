import type { IncomingHttpHeaders } from 'node:http'
import contentType from 'content-type'
import { type Problem, problem } from '../problem.js'

/**
 * Checks that the body is JSON we can read as sent: `application/json` or
 * any `+json` type (RFC 6839), UTF-8 if a charset is named (RFC 8259
 * section 8.1), and no `Content-Encoding` (we do not inflate untrusted bodies).
 * Returns the problem, or `undefined` when the request is fine.
 */
export function checkMediaType(headers: IncomingHttpHeaders): Problem | undefined {
  // Even "identity" is refused: RFC 9110 section 8.4.1 reserves it for Accept-Encoding.
  if (headers['content-encoding'] !== undefined) {
    return problem('media.encoding', 'Send the body uncompressed, without a Content-Encoding header.')
  }
  const header = headers['content-type']
  if (header === undefined || header === '') {
    return problem('media.unsupported', 'Send Content-Type: application/json.')
  }
  // Fast path for the overwhelmingly common header.
  if (header === 'application/json' || header === 'application/json; charset=utf-8') return undefined
  let parsed: contentType.ParsedMediaType
  try {
    parsed = contentType.parse(header)
  } catch {
    return problem('media.unsupported', 'The Content-Type header could not be parsed; send Content-Type: application/json.')
  }
  const type = parsed.type
  if (type !== 'application/json' && !(type.endsWith('+json') && type.includes('/'))) {
    return problem('media.unsupported', `Content-Type ${type} is not JSON; send Content-Type: application/json.`)
  }
  const charset = parsed.parameters.charset
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
    return problem('media.unsupported', 'JSON must be sent as UTF-8; drop the charset parameter or set charset=utf-8.')
  }
  return undefined
}
