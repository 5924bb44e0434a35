import { createServer } from 'node:http'
import express from 'express'
import { type Outbox, basic, bearer, forward, tenants, webhook } from '@webhook-trigger/express'
import { PATH, TENANT, TOKEN } from '../fixture.js'
import { upstreamUrl } from './accepted.js'
import { serve } from './serve.js'

/**
 * Ours: a queued intermediary on the given outbox. webhook() verifies and
 * validates the event, forward() stores it and answers 202, and the
 * background deliverer sends it upstream. The runner waits for the outbox to
 * empty before it reads CPU time, so delivery is counted in CPU per request.
 */
export function serveIntermediary(store: Outbox, release: () => unknown = () => undefined): void {
  const credentials = tenants({ [TENANT]: TOKEN })
  // Counters instead of outbox.list('pending'), which copies every queued
  // message: polling it during the drain would cost more than the drain.
  let queued = 0
  let delivered = 0
  const outbox: Outbox = {
    ...store,
    enqueue: async (message, now) => {
      const outcome = await store.enqueue(message, now)
      if (outcome === 'queued') queued++
      return outcome
    },
  }
  const relay = forward({
    to: upstreamUrl(),
    auth: basic({ tenant: TENANT, token: TOKEN }),
    outbox,
    delivery: { onEvent: (event) => void (event.type === 'delivered' && delivered++) },
  })
  const app = express()
  app.all(PATH, webhook({ auth: [basic(credentials), bearer(credentials)] }), relay)

  serve(createServer(app), {
    pending: () => queued - delivered,
    close: async () => {
      await relay.close()
      await release()
    },
  })
}
