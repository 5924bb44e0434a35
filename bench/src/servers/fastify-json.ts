import { createServer } from 'node:http'
import Fastify from 'fastify'
import { PATH } from '../fixture.js'
import { ACCEPTED_BODY } from './accepted.js'
import { serve } from './serve.js'

// Peer: Fastify 5 and its built-in JSON parser, no authentication at all.

let server = createServer()
const app = Fastify({ serverFactory: (handler) => (server = createServer(handler)) })
app.post(PATH, (_request, reply) => reply.code(202).type('application/json').send(ACCEPTED_BODY))
await app.ready()
serve(server)
