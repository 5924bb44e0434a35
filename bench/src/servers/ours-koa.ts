import { createServer } from 'node:http'
import Koa from 'koa'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/koa'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { serve } from './serve.js'

// Ours: the Koa adapter mounted as the README shows, no body parser before it.

const credentials = tenants({ [TENANT]: TOKEN })
const app = new Koa()
app.use(webhook({ path: PATH, auth: [basic(credentials), bearer(credentials)], handler: () => undefined }))

// Koa's callback returns a promise that Koa itself settles; node:http ignores it.
const handle = app.callback()
serve(createServer((req, res) => void handle(req, res)))
