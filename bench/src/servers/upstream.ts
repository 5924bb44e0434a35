import { createServer } from 'node:http'
import { accepted } from './accepted.js'
import { serve } from './serve.js'

// The upstream of every forwarding configuration: drains the body, answers 202.

const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => accepted(res))
})

serve(server)
