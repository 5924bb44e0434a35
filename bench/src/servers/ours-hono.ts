import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/fetch'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { serve } from './serve.js'

// Ours: the Fetch handler as a Hono route on @hono/node-server, Basic or Bearer.

const credentials = tenants({ [TENANT]: TOKEN })
const handle = webhook({ auth: [basic(credentials), bearer(credentials)], handler: () => undefined })
const app = new Hono()
app.post(PATH, (c) => handle(c.req.raw, c.env))
serve(createAdaptorServer({ fetch: app.fetch }) as Server)
