import { createServer } from 'node:http'
import express from 'express'
import type { AuthScheme } from '@webhook-trigger/core'
import { type DelivererOptions, type Outbox, adminRouter, bearer, createMetrics, forward, header, standardWebhooks, tenants, webhook } from '@webhook-trigger/express'
import { type AuthFlags, build, outboundAuth } from '../auth.js'
import { openOutbox } from '../outbox.js'
import { readSecret } from '../secrets.js'
import { closeServer, serve, shown, stopOnSignals } from '../serve.js'
import { loadTransform } from '../transform.js'
import { UsageError } from '../usage-error.js'

export interface IntermediaryFlags extends AuthFlags {
  to?: string
  transform?: string
  inboundKeyEnv?: string
  inboundKeyFile?: string
  outbox: string
  queue: string
  adminTokenEnv?: string
  adminTokenFile?: string
  retryDelays?: number[]
  lease?: number
  concurrency?: number
  path: string
  port: number
  host?: string
}

function inboundAuth(flags: IntermediaryFlags): AuthScheme[] {
  const key = readSecret('inbound-key', { env: flags.inboundKeyEnv, file: flags.inboundKeyFile })
  const secret = readSecret('secret', { env: flags.secretEnv, file: flags.secretFile })
  const schemes: AuthScheme[] = []
  if (key !== undefined) schemes.push(build(() => header('X-Api-Key', tenants({ inbound: key }))))
  if (secret !== undefined) schemes.push(build(() => standardWebhooks({ secret, tenant: 'inbound' })))
  if (schemes.length === 0) throw new UsageError('say how senders authenticate: --inbound-key-env <VAR> (X-Api-Key) or --secret-env <VAR> (Standard Webhooks)')
  return schemes
}

function delivery(flags: IntermediaryFlags): DelivererOptions {
  return {
    ...(flags.retryDelays && { retry: { delays: flags.retryDelays } }),
    ...(flags.lease !== undefined && { leaseMs: flags.lease }),
    ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
  }
}

/** `make()`, closing the outbox when it throws: an open SQLite or Redis connection would keep the process alive. */
function closingOnError<T>(outbox: Outbox, make: () => T): T {
  try {
    return build(make)
  } catch (error) {
    void outbox.close()
    throw error
  }
}

/** `intermediary`, once its flags are parsed. */
export async function runIntermediary(flags: IntermediaryFlags): Promise<void> {
  if (flags.to === undefined) throw new UsageError('intermediary needs --to <url>, the inbound webhook URL')
  const auth = outboundAuth(flags, '--to')
  const inbound = inboundAuth(flags)
  const adminToken = readSecret('admin-token', { env: flags.adminTokenEnv, file: flags.adminTokenFile })
  const transform = flags.transform === undefined ? undefined : await loadTransform(flags.transform)
  const { to } = flags
  const outbox = await openOutbox(flags.outbox, flags.queue, flags.lease)
  const metrics = createMetrics()
  const relay = closingOnError(outbox, () =>
    forward({
      to,
      auth,
      outbox,
      delivery: delivery(flags),
      ...(transform && { transform }),
      onEvent: (event) => {
        metrics.onEvent(event)
        const detail = 'attempts' in event ? ` attempts=${event.attempts}` : ''
        const why = 'error' in event ? ` error="${event.error}"` : 'status' in event ? ` status=${event.status}` : ''
        console.log(`${new Date().toISOString()} ${event.type} id=${event.id}${detail}${why}`)
      },
    }),
  )
  const app = express().disable('x-powered-by')
  if (adminToken !== undefined) app.use('/admin', adminRouter({ outbox, auth: bearer({ token: adminToken }), metrics }))
  app.use(webhook({ path: flags.path, auth: inbound, envelope: transform === undefined }), relay)
  const server = createServer(app)
  // Before listening: a signal that comes right after the "listening on" line must find its handler.
  stopOnSignals(async () => {
    // Stop taking events, let in-flight deliveries finish or go back to the outbox, then close it.
    await closeServer(server)
    await relay.close()
    await outbox.close()
  })
  try {
    await serve('intermediary', server, flags, flags.path)
  } catch (error) {
    await relay.close()
    await outbox.close()
    throw error
  }
  console.log(`delivering to ${shown(flags.to)}${adminToken === undefined ? '' : '; admin API on /admin'}`)
}
