import { createServer } from 'node:http'
import express from 'express'
import { PATH } from '../fixture.js'
import { ACCEPTED_BODY } from './accepted.js'
import { serve } from './serve.js'

// Calibration, not a competitor: Express 5 with a handler that reads the body
// itself and JSON.parses it, no auth. The most a middleware that does no work
// at all could gain over express.json().

const app = express()
app.post(PATH, (req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'))
    res.status(202).type('json').send(ACCEPTED_BODY)
  })
})

serve(createServer(app))
