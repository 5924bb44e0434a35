import { createServer } from 'node:http'
import Fastify from 'fastify'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/fastify'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { serve } from './serve.js'

// Ours: the Fastify plugin registered as the README shows, Basic or Bearer,
// with every check of the pipeline (JSON, depth, envelope).

const credentials = tenants({ [TENANT]: TOKEN })
let server = createServer()
const app = Fastify({ serverFactory: (handler) => (server = createServer(handler)) })
await app.register(webhook, { path: PATH, auth: [basic(credentials), bearer(credentials)], handler: () => undefined })
await app.ready()
serve(server)
