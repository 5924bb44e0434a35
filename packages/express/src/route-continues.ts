import type { IncomingMessage } from 'node:http'

interface RouteLayer {
  handle?: unknown
  method?: string
}

/**
 * Whether a handler after `self` in the current Express route takes this
 * request: `app.post('/webhook', webhook(), yourHandler)` passes on, a lone
 * `app.all('/webhook', webhook())` answers 202 itself. Express 4 and 5 both
 * keep a route's layers in `req.route.stack`, each with the method it takes
 * (Express 4 leaves it unset for `all`, Express 5 adds one layer per method);
 * outside a route (`app.use`) we pass on, as middleware does.
 */
export function routeContinues(req: IncomingMessage & { route?: unknown }, self: unknown): boolean {
  const stack = (req.route as { stack?: RouteLayer[] } | undefined)?.stack
  if (!Array.isArray(stack)) return true
  // Plain loops: under app.all an Express 5 route holds 34 layers per handler, walked on every request.
  const method = req.method?.toLowerCase()
  let found = false
  for (const layer of stack) {
    if (found) {
      if (takes(layer, method)) return true
    } else {
      found = layer.handle === self && takes(layer, method)
    }
  }
  return !found
}

function takes(layer: RouteLayer, method: string | undefined): boolean {
  return layer.method === undefined || layer.method === method
}
