import { createServer } from 'node:http'
import express from 'express'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/express'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { serve } from './serve.js'

// Ours: the Express adapter mounted as the README shows, one middleware with
// its path, Basic and Bearer; the runner sends Basic to one configuration and
// Bearer to another. Full validation: content type, size, UTF-8, depth, envelope.

const credentials = tenants({ [TENANT]: TOKEN })
const app = express()
app.use(webhook({ path: PATH, auth: [basic(credentials), bearer(credentials)], handler: () => undefined }))

serve(createServer(app))
