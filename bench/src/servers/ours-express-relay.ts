import { createServer } from 'node:http'
import express from 'express'
import { basic, forward } from '@webhook-trigger/express'
import { TENANT, TOKEN } from '../fixture.js'
import { upstreamUrl } from './accepted.js'
import { serve } from './serve.js'

// Ours: a relay through the Express adapter, as examples/proxy: every POST
// goes upstream byte for byte with Basic attached, hop-by-hop and inbound
// credentials stripped, X-Forwarded-For and Forwarded added, and an
// Idempotency-Key; the caller gets the upstream's answer.

const relay = forward({ to: upstreamUrl(), auth: basic({ tenant: TENANT, token: TOKEN }) })
const app = express()
app.use(relay)

serve(createServer(app), { close: () => relay.close() })
