import type { IncomingHttpHeaders } from 'node:http'
import { type Problem, problem } from '../problem.js'

/** What an HTML form can send without script (HTML's form submission): a request a page on another site can make. */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'])

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

/**
 * Refuses a state-changing request a page on another site could have made a
 * browser send with the admin's credentials (a cached Basic login, a cookie an
 * app's own auth reads): `Sec-Fetch-Site` naming another origin, else an
 * `Origin` whose host is not this one, or a form's content type. A script or
 * curl sends none of these; the console sends a same-origin fetch with its
 * token in `Authorization`, which no form can set.
 */
export function crossSite(headers: IncomingHttpHeaders): Problem | undefined {
  // The browser's own word, set on every request and out of a page's reach; it also holds behind a proxy that rewrites Host.
  const site = one(headers['sec-fetch-site'])
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return problem('admin.cross_site', `This request came from a page on another origin (Sec-Fetch-Site: ${site}); use the console or a script.`)
  }
  const origin = one(headers.origin)
  if (site === undefined && origin !== undefined && hostOf(origin) !== headers.host) {
    return problem('admin.cross_site', 'This request came from a page on another origin; use the console or a script.')
  }
  const type = one(headers['content-type'])?.split(';')[0]!.trim().toLowerCase()
  if (type !== undefined && FORM_TYPES.has(type)) {
    return problem('admin.cross_site', `A form's content type (${type}) is refused on admin actions; send no body, or application/json.`)
  }
  return undefined
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}
