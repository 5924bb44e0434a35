import { createServer } from 'node:http'
import {
  acceptedResponse,
  basic,
  bearer,
  createWebhookVerifier,
  nodeRequest,
  settleOnFinish,
  tenants,
  writeResponse,
} from '@webhook-trigger/core'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { serve } from './serve.js'

// Ours: the core on bare node:http, as the README's node:http quick start.

const credentials = tenants({ [TENANT]: TOKEN })
const verifier = createWebhookVerifier({ path: PATH, auth: [basic(credentials), bearer(credentials)] })

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
