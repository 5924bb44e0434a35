import { createServer } from 'node:http'
import express from 'express'
import basicAuth from 'express-basic-auth'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { ACCEPTED_BODY } from './accepted.js'
import { serve } from './serve.js'

// Peer: Express 5 with express-basic-auth (constant-time compare) before express.json().

const app = express()
app.post(PATH, basicAuth({ users: { [TENANT]: TOKEN }, challenge: true }), express.json(), (_req, res) => {
  res.status(202).type('json').send(ACCEPTED_BODY)
})

serve(createServer(app))
