// Every configuration the conformance suite mounts, by name. Options hold
// functions (schemes, schemas, clocks, a broken delivery log), which cannot
// cross a process boundary, but a name can: a host in another process (Bun,
// Deno) imports this module and builds the same options from the name the
// suite sends it. No vitest here, for that reason.
import { type DeliveryLog, type WebhookOptions, basic, standardWebhooks, tenants } from '@webhook-trigger/core'
import { z } from 'zod'
import type { HarnessOptions } from './conformance.js'
import { TENANT, TOKEN, apiKeyOptions, defaultOptions } from './fixtures.js'
import { NOW, SIGNATURE_SCHEMES, STANDARD_SECRET } from './signature-schemes.js'

/** A delivery log whose store is down: every claim fails as a lost connection does. */
const unreachableLog: DeliveryLog = {
  claim: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379')),
  complete: () => Promise.resolve(),
  release: () => Promise.resolve(),
}

const fixed = { now: () => NOW }

/** Each scenario builds its options anew, so every mount starts with fresh state (dedupe memory, connection memo). */
export const SCENARIOS: Readonly<Record<string, () => WebhookOptions>> = {
  /** Basic or Bearer over the fixture tenants. */
  default: () => defaultOptions,
  /** Basic or an `X-Api-Key` header. */
  'api key': () => apiKeyOptions,
  'limit, depth and schemas': () => ({
    auth: basic(tenants({ [TENANT]: TOKEN })),
    limit: '100b',
    maxDepth: 3,
    schemas: { customer_update: z.object({ id: z.string(), status: z.enum(['active', 'inactive']) }), ping: null },
  }),
  dedupe: () => ({ ...defaultOptions, dedupe: true }),
  'dedupe, log unreachable': () => ({ ...defaultOptions, dedupe: { log: unreachableLog } }),
  'dedupe by a body pointer': () => ({ ...defaultOptions, dedupe: { id: '/data/id', window: '1h' } }),
  ...Object.fromEntries(SIGNATURE_SCHEMES.map((scheme) => [`signature ${scheme.name}`, () => ({ auth: scheme.scheme(fixed) })])),
  'standardWebhooks() tolerance 0': () => ({ auth: standardWebhooks({ secret: STANDARD_SECRET }, { tolerance: 0, ...fixed }) }),
  'standardWebhooks() tolerance off': () => ({ auth: standardWebhooks({ secret: STANDARD_SECRET }, { tolerance: false, ...fixed }) }),
}

/** The options of scenario `name`; throws on a name no scenario has. */
export function scenarioOptions(name: string): WebhookOptions {
  const build = SCENARIOS[name]
  if (build === undefined) throw new TypeError(`no conformance scenario is named "${name}"; known: ${Object.keys(SCENARIOS).join(', ')}`)
  return build()
}

/** What the suite hands a harness: the scenario's name (for a host in another process) and its options (for one in this process). */
export function scenario(name: string, more: Omit<HarnessOptions, 'scenario' | 'webhook'> = {}): HarnessOptions {
  return { scenario: name, webhook: scenarioOptions(name), mount: 'handler', ...more }
}
