import { Agent, createServer } from 'node:http'
import express from 'express'
import { createProxyMiddleware } from 'http-proxy-middleware'
import { PATH } from '../fixture.js'
import { serve } from './serve.js'
import { upstreamUrl } from './accepted.js'

// Peer of our Express relay: http-proxy-middleware streaming each request to
// the upstream over a keep-alive agent. It attaches no credentials and
// strips none.

const agent = new Agent({ keepAlive: true })
const app = express()
app.use(createProxyMiddleware({ target: new URL(upstreamUrl()).origin, pathFilter: PATH, agent }))

serve(createServer(app), { close: () => agent.destroy() })
