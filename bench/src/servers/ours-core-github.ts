import { createServer } from 'node:http'
import { acceptedResponse, createWebhookVerifier, githubSignature, nodeRequest, settleOnFinish, writeResponse } from '@webhook-trigger/core'
import { GITHUB_SECRET, PATH } from '../fixture.js'
import { serve } from './serve.js'

// Ours: the core on bare node:http verifying GitHub's X-Hub-Signature-256,
// the peer of @octokit/webhooks' Node middleware, with every default on: the
// HMAC over the raw bytes, UTF-8, depth, forbidden keys, the envelope, and
// replay protection by X-GitHub-Delivery. The runner gives every request its
// own delivery id, so each one is new and remembered, as in production.

const verifier = createWebhookVerifier({ path: PATH, auth: githubSignature({ secret: GITHUB_SECRET }) })

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
