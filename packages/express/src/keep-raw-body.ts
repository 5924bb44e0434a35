import type { IncomingMessage, ServerResponse } from 'node:http'

declare global {
  // Declaration merging is how Express types request extensions.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Body bytes kept by `express.json({ verify: keepRawBody })`. */
      rawBody?: Buffer
    }
  }
}

/**
 * For `express.json({ verify: keepRawBody })`: keeps the body bytes on
 * `req.rawBody`, so the webhook still sees exactly what was sent when a JSON
 * parser runs first.
 *
 * @example
 * app.use(express.json({ verify: keepRawBody }))
 */
export function keepRawBody(req: IncomingMessage, _res: ServerResponse, bytes: Buffer): void {
  // Cast: other body parsers' typings declare rawBody as a string on IncomingMessage.
  ;(req as { rawBody?: unknown }).rawBody = bytes
}
