import type { IncomingMessage, ServerResponse } from 'node:http'

/** One line per request to `path` once its answer is out: time, method, path, status, duration. */
export function logRequests(path: string) {
  return function logRequest(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (req.url?.split('?')[0] !== path) return next()
    const started = performance.now()
    res.once('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : 'aborted'
      console.log(`${new Date().toISOString()} ${req.method} ${path} -> ${status} ${Math.round(performance.now() - started)} ms`)
    })
    next()
  }
}
