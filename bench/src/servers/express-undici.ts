import { createServer } from 'node:http'
import express from 'express'
import { serve } from './serve.js'
import { undiciRelay } from './undici-relay.js'

// Calibration, not a competitor: the undici reference forwarder mounted as
// Express middleware, with no checks at all: the least a relay through
// Express that buffers the body with undici can cost on this machine.

const relay = undiciRelay()
const app = express()
app.use(relay.handle)

serve(createServer(app), { close: relay.close })
