import { createServer } from 'node:http'
import { bodyParser } from '@koa/bodyparser'
import Koa from 'koa'
import auth from 'koa-basic-auth'
import { TENANT, TOKEN } from '../fixture.js'
import { ACCEPTED_BODY } from './accepted.js'
import { serve } from './serve.js'

// Peer: Koa 3 with koa-basic-auth (tsscmp compare) before @koa/bodyparser.

const app = new Koa()
app.use(auth({ name: TENANT, pass: TOKEN }))
app.use(bodyParser())
app.use((ctx) => {
  ctx.status = 202
  ctx.type = 'json'
  ctx.body = ACCEPTED_BODY
})

// Koa's callback returns a promise that Koa itself settles; node:http ignores it.
const handle = app.callback()
serve(createServer((req, res) => void handle(req, res)))
