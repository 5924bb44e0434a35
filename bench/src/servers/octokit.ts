import { createServer } from 'node:http'
import { Webhooks, createNodeMiddleware } from '@octokit/webhooks'
import { GITHUB_SECRET, PATH } from '../fixture.js'
import { serve } from './serve.js'

// Peer: @octokit/webhooks' Node middleware. It checks the content type and
// its three headers, verifies the HMAC-SHA256 signature over the raw body,
// parses it and emits the event; it answers 200 "ok".

const webhooks = new Webhooks({ secret: GITHUB_SECRET })
webhooks.onAny(() => undefined)
const middleware = createNodeMiddleware(webhooks, { path: PATH })

serve(createServer((req, res) => void middleware(req, res)))
