import { createServer } from 'node:http'
import express from 'express'
import { PATH } from '../fixture.js'
import { ACCEPTED_BODY } from './accepted.js'
import { serve } from './serve.js'

// Peer: Express 5 and its JSON body parser, no authentication at all.

const app = express()
app.post(PATH, express.json(), (_req, res) => {
  res.status(202).type('json').send(ACCEPTED_BODY)
})

serve(createServer(app))
