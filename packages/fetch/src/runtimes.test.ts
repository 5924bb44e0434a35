import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { acceptedLines, describeStatusTable, runExample } from '@webhook-trigger/testkit'
import { describe, it } from 'vitest'

// The fetch handler's status table under Bun and Deno: each runtime serves the
// built handler (src/runtimes/serve.ts), and the table runs over real HTTP from
// here. Both come from the npm registry as root devDependencies.
const dir = fileURLToPath(new URL('..', import.meta.url))
const bin = (name: string) => fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url))

const runtimes = [
  { name: 'bun', command: [bin('bun'), 'src/runtimes/serve.ts'] },
  { name: 'deno', command: [bin('deno'), 'run', '--allow-net', '--allow-env', '--allow-read', 'src/runtimes/serve.ts'] },
]

/** Why the runtime cannot run here, or undefined when it can. */
function missing(program: string): string | undefined {
  try {
    execFileSync(program, ['--version'], { stdio: 'ignore', timeout: 30_000 })
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

for (const { name, command } of runtimes) {
  const why = missing(command[0]!)
  if (why === undefined) {
    describeStatusTable(`fetch handler on ${name}`, async () => {
      const server = await runExample(dir, {}, { command, timeoutMs: 30_000 })
      return { url: server.url, handled: () => acceptedLines(server), close: () => server.stop() }
    })
  } else if (process.env.CI === 'true') {
    describe(`fetch handler on ${name}`, () => {
      it('runs: the runtime must be installed on CI', () => {
        throw new Error(`${name} cannot run here (${why}); npm ci installs it from the "${name}" devDependency`)
      })
    })
  } else {
    describe.skip(`fetch handler on ${name}: not installed here (${why}), skipped`, () => {
      it('runs the status table', () => undefined)
    })
  }
}
