import { basic, bearer, createWebhookVerifier, tenants } from '@webhook-trigger/core'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { serveVerifier } from './core-server.js'

// Ours: the core on bare node:http, as the README's node:http quick start.

const credentials = tenants({ [TENANT]: TOKEN })
serveVerifier(createWebhookVerifier({ path: PATH, auth: [basic(credentials), bearer(credentials)] }))
