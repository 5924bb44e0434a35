import { createServer } from 'node:http'
import express from 'express'
import { forward } from '@webhook-trigger/express'
import { type AuthFlags, build, outboundAuth } from '../auth.js'
import { closeServer, serve, shown, stopOnSignals } from '../serve.js'
import { UsageError } from '../usage-error.js'
import { logRequests } from './log-requests.js'

export interface RelayFlags extends AuthFlags {
  to?: string
  path: string
  port: number
  host?: string
}

/** `relay`, once its flags are parsed. */
export async function runRelay(flags: RelayFlags): Promise<void> {
  if (flags.to === undefined) throw new UsageError('relay needs --to <url>, the inbound webhook URL')
  const auth = outboundAuth(flags, '--to')
  const { to, path } = flags
  const relay = build(() => forward({ to, auth, path }))
  const app = express().disable('x-powered-by')
  app.use(logRequests(flags.path), relay)
  const server = createServer(app)
  // Before listening: a signal that comes right after the "listening on" line must find its handler.
  stopOnSignals(async () => {
    await closeServer(server)
    await relay.close()
  })
  await serve('relay', server, flags, flags.path)
  console.log(`forwarding to ${shown(flags.to)}`)
}
