/** Validates a `path` option at creation. */
export function checkPath(path: unknown, where: string): string | undefined {
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new TypeError(`${where}: "path" must start with "/", e.g. path: "/webhook"`)
  }
  return path
}

/**
 * Whether a request URL is `path`, ignoring the query and one trailing
 * slash; every URL matches when no path is configured.
 */
export function pathMatcher(path: string | undefined): (url: string | undefined) => boolean {
  if (path === undefined) return () => true
  return (url = '/') => {
    const query = url.indexOf('?')
    const pathname = query === -1 ? url : url.slice(0, query)
    return pathname === path || pathname === `${path}/`
  }
}
