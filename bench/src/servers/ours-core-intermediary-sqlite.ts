import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { basic, bearer, createForwardHandler, createWebhookVerifier, nodeRequest, tenants, writeResponse } from '@webhook-trigger/core'
import { sqliteOutbox } from '@webhook-trigger/outbox-sqlite'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { upstreamUrl } from './accepted.js'
import { serve } from './serve.js'

// Ours: the queued intermediary on bare node:http, core only: the verifier
// checks the event, createForwardHandler() stores it in the SQLite outbox
// (a file, WAL) and answers 202, the deliverer sends it upstream.

const folder = mkdtempSync(join(tmpdir(), 'webhook-trigger-bench-'))
const outbox = sqliteOutbox({ path: join(folder, 'outbox.sqlite') })
const credentials = tenants({ [TENANT]: TOKEN })
const verifier = createWebhookVerifier({ path: PATH, auth: [basic(credentials), bearer(credentials)] })
const relay = createForwardHandler({ to: upstreamUrl(), auth: basic({ tenant: TENANT, token: TOKEN }), outbox })
const failed = { status: 500, headers: {}, body: '' }

const server = createServer((req, res) => {
  if (!verifier.handles(req.url)) return writeResponse(res, { status: 404, headers: {}, body: '' })
  verifier.verify(nodeRequest(req), (error, result) => {
    if (error !== null) return writeResponse(res, failed)
    if (!result.ok) return writeResponse(res, result.response)
    relay.handle(nodeRequest(req, undefined, undefined, result.webhook)).then(
      (response) => writeResponse(res, response),
      () => writeResponse(res, failed),
    )
  })
})

serve(server, {
  close: async () => {
    await relay.close()
    await outbox.close()
    rmSync(folder, { recursive: true, force: true })
  },
})
