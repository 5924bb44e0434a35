import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { PATH } from '../fixture.js'
import { ACCEPTED_BODY } from './accepted.js'
import { serve } from './serve.js'

// Peer: Hono on @hono/node-server, the body read with `await c.req.json()`, no authentication at all.

const app = new Hono()
app.post(PATH, async (c) => {
  await c.req.json()
  return c.body(ACCEPTED_BODY, 202, { 'content-type': 'application/json' })
})
serve(createAdaptorServer({ fetch: app.fetch }) as Server)
