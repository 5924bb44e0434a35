import { createServer } from 'node:http'
import { basic, bodySource, createForwardHandler, writeResponse } from '@webhook-trigger/core'
import { TENANT, TOKEN } from '../fixture.js'
import { upstreamUrl } from './accepted.js'
import { serve } from './serve.js'

// Ours: the same relay as ours-express-relay, on bare node:http through the
// core's createForwardHandler().

const relay = createForwardHandler({ to: upstreamUrl(), auth: basic({ tenant: TENANT, token: TOKEN }) })

const server = createServer((req, res) => {
  relay
    .handle({ method: req.method, headers: req.headers, body: bodySource(req), remoteAddress: req.socket.remoteAddress, encrypted: false })
    .then(
      (response) => writeResponse(res, response),
      () => writeResponse(res, { status: 500, headers: {}, body: '' }),
    )
})

serve(server, { close: () => relay.close() })
