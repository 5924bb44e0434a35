import { createServer } from 'node:http'
import express from 'express'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/express'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { serve } from './serve.js'

// Ours as `ours-express`, mounted on a route with `app.all(path, ...)`
// instead. Express 5's app.all adds one route layer per HTTP method (34), and
// a POST walks past the 19 before its own: this row shows what that costs.

const credentials = tenants({ [TENANT]: TOKEN })
const app = express()
app.all(PATH, webhook({ auth: [basic(credentials), bearer(credentials)], handler: () => undefined }))

serve(createServer(app))
