import { createServer } from 'node:http'
import { type WebhookVerifier, acceptedResponse, nodeRequest, settleOnFinish, writeResponse } from '@webhook-trigger/core'
import { serve } from './serve.js'

/** Serves `verifier` on bare node:http as the README's node:http quick start does: 202 for a verified event. */
export function serveVerifier(verifier: WebhookVerifier): void {
  const server = createServer((req, res) => {
    if (!verifier.handles(req.url)) return writeResponse(res, { status: 404, headers: {}, body: '' })
    verifier.verify(nodeRequest(req), (error, result) => {
      if (error !== null) return writeResponse(res, { status: 500, headers: {}, body: '' })
      if (!result.ok) return writeResponse(res, result.response)
      settleOnFinish(res, result)
      writeResponse(res, acceptedResponse(result.webhook))
    })
  })
  serve(server)
}
