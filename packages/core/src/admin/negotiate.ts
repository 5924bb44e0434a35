/** The quality a client's `Accept` gives a media type: its own entry, else `type/*`, else `*\/*`, else 0. */
function quality(entries: ReadonlyArray<{ range: string; q: number }>, type: string): number {
  const [major] = type.split('/')
  let found: { specificity: number; q: number } | undefined
  for (const { range, q } of entries) {
    const specificity = range === type ? 3 : range === `${major}/*` ? 2 : range === '*/*' ? 1 : 0
    if (specificity > 0 && (found === undefined || specificity > found.specificity)) found = { specificity, q }
  }
  return found?.q ?? 0
}

/**
 * Whether a client's `Accept` (RFC 9110 §12.5.1) prefers a text metrics format
 * (Prometheus' `text/plain`, OpenMetrics) to JSON. JSON wins ties, so a
 * request without `Accept`, with `*\/*` or with `application/json` gets JSON;
 * a Prometheus scrape, which lists both text formats above `*\/*`, gets text.
 */
export function prefersText(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return false
  const entries = accept.split(',').map((part) => {
    const [range = '', ...params] = part.split(';').map((token) => token.trim().toLowerCase())
    const q = params.find((param) => param.startsWith('q='))
    const value = q === undefined ? 1 : Number(q.slice(2))
    return { range, q: Number.isFinite(value) ? value : 0 }
  })
  const text = Math.max(quality(entries, 'text/plain'), quality(entries, 'application/openmetrics-text'))
  return text > 0 && text > quality(entries, 'application/json')
}
