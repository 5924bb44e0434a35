import { createServer } from 'node:http'
import {
  type VerifiedWebhook,
  acceptedResponse,
  createWebhookVerifier,
  nodeRequest,
  settleOnFinish,
  writeResponse,
} from '@webhook-trigger/core'
import type { Start } from './conformance.js'
import { listen } from './listen.js'

/** The core on bare node:http, as an app without a framework would use it (the README's example: `verify()` with a callback). */
export const startCore: Start = async ({ webhook, mount = 'handler' }) => {
  const calls: VerifiedWebhook[] = []
  const verifier = createWebhookVerifier(webhook)
  const server = createServer((req, res) => {
    if (!verifier.handles(req.url)) return writeResponse(res, { status: 404, headers: {}, body: '' })
    verifier.verify(nodeRequest(req), (error, result) => {
      if (error !== null) return writeResponse(res, { status: 500, headers: {}, body: String(error) })
      if (!result.ok) return writeResponse(res, result.response)
      settleOnFinish(res, result)
      calls.push(result.webhook)
      if (mount === 'handler') return writeResponse(res, acceptedResponse(result.webhook))
      writeResponse(res, { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result.webhook) })
    })
  })
  return { ...(await listen(server)), calls }
}
