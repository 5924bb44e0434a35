import { createServer } from 'node:http'
import { serve } from './serve.js'
import { undiciRelay } from './undici-relay.js'

// Peer, and the reference for forwarding: bare node:http reads the body and
// sends it on with undici's request() over one keep-alive pool, with Basic
// credentials attached, then answers with the upstream's status and body.

const relay = undiciRelay()

serve(createServer(relay.handle), { close: relay.close })
