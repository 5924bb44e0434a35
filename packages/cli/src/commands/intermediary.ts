import { createServer } from 'node:http'
import { Command } from 'commander'
import express from 'express'
import type { AuthScheme } from '@webhook-trigger/core'
import { type DelivererOptions, adminRouter, bearer, createMetrics, forward, header, standardWebhooks, tenants, webhook } from '@webhook-trigger/express'
import { type AuthFlags, outboundAuth } from '../auth.js'
import { configOption, duration, durations, httpUrl, integer, option, outboundAuthOptions, secretOptions, serverOptions, urlPath } from '../options.js'
import { openOutbox } from '../outbox.js'
import { readSecret } from '../secrets.js'
import { closeServer, serve, shown, stopOnSignals } from '../serve.js'
import { loadTransform } from '../transform.js'
import { UsageError } from '../usage-error.js'

interface IntermediaryFlags extends AuthFlags {
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

const EXAMPLES = `
Examples:
  # A CRM posts its own JSON with X-Api-Key; transform.mjs maps it to { event, data }, delivered durably with HTTP Basic
  $ CRM_KEY=... API_TOKEN=... webhook-trigger intermediary --to https://api.example.com/webhook \\
      --tenant tenant123 --token-env API_TOKEN --inbound-key-env CRM_KEY --transform ./transform.mjs

  # transform.mjs:
  #   export default (webhook) => ({ event: 'customer_update', data: { id: webhook.payload.contact.id } })

  # Standard Webhooks signatures inbound, a Redis outbox shared by several instances, the admin API on /admin
  $ webhook-trigger intermediary --to https://api.example.com/webhook --bearer-env API_TOKEN \\
      --secret-env WEBHOOK_SECRET --outbox redis://127.0.0.1:6379 --admin-token-env ADMIN_TOKEN
`

function inboundAuth(flags: IntermediaryFlags): AuthScheme[] {
  const key = readSecret('inbound-key', { env: flags.inboundKeyEnv, file: flags.inboundKeyFile })
  const secret = readSecret('secret', { env: flags.secretEnv, file: flags.secretFile })
  const schemes: AuthScheme[] = []
  if (key !== undefined) schemes.push(header('X-Api-Key', tenants({ inbound: key })))
  if (secret !== undefined) schemes.push(standardWebhooks({ secret, tenant: 'inbound' }))
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

/** `intermediary`: receive a third party's webhook, verify it, transform it, answer 202 once stored, deliver with retries. */
export function intermediaryCommand(): Command {
  const command = new Command('intermediary')
    .summary('receive, transform and deliver durably (202 once stored)')
    .description('Receives a third party\'s webhook, verifies it (X-Api-Key or Standard Webhooks), maps it with --transform, answers 202 once it is stored in the outbox, and delivers it to --to with credentials attached, retrying for hours. Failed events are kept as dead; the admin API lists and redelivers them.')
    .addOption(option('--to <url>', 'the inbound webhook URL to deliver to').argParser(httpUrl))
    .addOption(option('--transform <module>', 'module whose default export maps (webhook) => { event, data }; webhook.payload is the sender\'s JSON').default(undefined, 'none: the body must already be { event, data }'))
  outboundAuthOptions(command, 'the upstream')
  secretOptions(command, 'inbound-key', 'the key senders put in X-Api-Key')
  secretOptions(command, 'secret', 'the Standard Webhooks secret senders sign with (whsec_...)')
  command
    .addOption(option('--outbox <store>', 'sqlite:<path>, or redis://host:port for several instances').default('sqlite:.webhook-trigger/outbox.sqlite'))
    .addOption(option('--queue <name>', 'queue name in Redis').default('webhook-trigger'))
  secretOptions(command, 'admin-token', 'the Bearer token of the admin API, mounted on /admin when given')
  command
    .addOption(option('--retry-delays <list>', 'wait before each retry, e.g. 5s,5m,30m').argParser(durations).default(undefined, 'Standard Webhooks, 5s to 10h'))
    .addOption(option('--lease <duration>', 'how long a delivery may take before another worker retries it').argParser(duration).default(undefined, '30s'))
    .addOption(option('--concurrency <n>', 'deliveries in flight at once').argParser(integer(1, 1000)).default(undefined, '8'))
    .addOption(option('--path <path>', 'path senders post to').argParser(urlPath).default('/webhook'))
  serverOptions(command, 3002)
  configOption(command)
  return command.addHelpText('after', EXAMPLES).action(async (flags: IntermediaryFlags) => {
    if (flags.to === undefined) throw new UsageError('intermediary needs --to <url>, the inbound webhook URL')
    const auth = outboundAuth(flags, '--to')
    const inbound = inboundAuth(flags)
    const adminToken = readSecret('admin-token', { env: flags.adminTokenEnv, file: flags.adminTokenFile })
    const transform = flags.transform === undefined ? undefined : await loadTransform(flags.transform)
    const outbox = await openOutbox(flags.outbox, flags.queue, flags.lease)
    const metrics = createMetrics()
    const relay = forward({
      to: flags.to,
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
    })
    const app = express().disable('x-powered-by')
    if (adminToken !== undefined) app.use('/admin', adminRouter({ outbox, auth: bearer({ token: adminToken }), metrics }))
    app.use(webhook({ path: flags.path, auth: inbound, envelope: transform === undefined }), relay)
    const server = createServer(app)
    try {
      await serve('intermediary', server, flags, flags.path)
    } catch (error) {
      await relay.close()
      await outbox.close()
      throw error
    }
    console.log(`delivering to ${shown(flags.to)}${adminToken === undefined ? '' : '; admin API on /admin'}`)
    stopOnSignals(async () => {
      // Stop taking events, let in-flight deliveries finish or go back to the outbox, then close it.
      await closeServer(server)
      await relay.close()
      await outbox.close()
    })
  })
}
