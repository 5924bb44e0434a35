import { fileURLToPath } from 'node:url'
import type { TestProjectInlineConfiguration } from 'vitest/config'

// The test projects, one per package plus the examples, the benchmark runner and
// the packaging test. vitest.config.ts passes this list as `test.projects`.

const source = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

// Tests run against the TypeScript sources; the examples' tests start real
// processes, which run the built dist/ that `npm test` builds first.
const resolve = {
  alias: {
    '@webhook-trigger/cli': source('cli'),
    '@webhook-trigger/client': source('client'),
    '@webhook-trigger/core': source('core'),
    '@webhook-trigger/express': source('express'),
    '@webhook-trigger/koa': source('koa'),
    '@webhook-trigger/fastify': source('fastify'),
    '@webhook-trigger/fetch': source('fetch'),
    '@webhook-trigger/testkit': source('testkit'),
    '@webhook-trigger/outbox-sqlite': source('outbox-sqlite'),
    '@webhook-trigger/redis': source('redis'),
    '@webhook-trigger/prometheus': source('prometheus'),
  },
}

const project = (name: string, include: string[], timeouts = { testTimeout: 20_000, hookTimeout: 30_000 }): TestProjectInlineConfiguration => ({
  resolve,
  test: {
    name,
    include,
    benchmark: { include: include.map((glob) => glob.replace('.test.ts', '.bench.ts')) },
    environment: 'node',
    // expect.poll() waits 1 s by default: a delivery or a page update on a loaded
    // 2-core machine can take longer. Polling ends as soon as it succeeds.
    expect: { poll: { timeout: 10_000 } },
    ...timeouts,
  },
})

export default [
  // The CLI's tests run the built binary as a process, like the examples'.
  project('cli', ['packages/cli/src/**/*.test.ts']),
  project('client', ['packages/client/src/**/*.test.ts']),
  project('core', ['packages/core/src/**/*.test.ts']),
  project('express', ['packages/express/src/**/*.test.ts']),
  project('koa', ['packages/koa/src/**/*.test.ts']),
  project('fastify', ['packages/fastify/src/**/*.test.ts']),
  project('fetch', ['packages/fetch/src/**/*.test.ts']),
  project('outbox-sqlite', ['packages/outbox-sqlite/src/**/*.test.ts']),
  project('redis', ['packages/redis/src/**/*.test.ts']),
  project('prometheus', ['packages/prometheus/src/**/*.test.ts']),
  project('examples', ['examples/*/src/**/*.test.ts']),
  project('bench', ['bench/src/**/*.test.ts']),
  // The short fuzz run and the soak criterion; the long runs are npm run fuzz and npm run soak.
  project('resilience', ['resilience/src/**/*.test.ts']),
  // npm pack, fresh apps, registry installs and a native build: minutes, not seconds.
  project('packaging', ['packages/testkit/src/packaging/**/*.test.ts'], { testTimeout: 120_000, hookTimeout: 600_000 }),
]
