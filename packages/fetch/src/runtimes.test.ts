import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describeConformance, describeSignatures, remoteHost } from '@webhook-trigger/testkit'
import { afterAll, describe, it } from 'vitest'

// The fetch handler's whole conformance suite under Bun and Deno: one process
// per runtime serves every scenario the suite names (src/runtimes/serve.ts),
// and the suite runs over real HTTP from here, unchanged. Both runtimes come
// from the npm registry as root devDependencies.
const dir = fileURLToPath(new URL('..', import.meta.url))
const bin = (name: string) => fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url))

const runtimes = [
  { name: 'bun', command: [bin('bun'), 'src/runtimes/serve.ts'] },
  { name: 'deno', command: [bin('deno'), 'run', '--allow-net', '--allow-env', '--allow-read', 'src/runtimes/serve.ts'] },
]

/** The runtime's version, or why it cannot run here. */
function version(program: string): { version: string } | { missing: string } {
  try {
    const printed = execFileSync(program, ['--version'], { encoding: 'utf8', timeout: 30_000 })
    return { version: /\d+\.\d+\.\d+/.exec(printed)?.[0] ?? printed.trim() }
  } catch (error) {
    return { missing: (error as Error).message }
  }
}

for (const { name, command } of runtimes) {
  const found = version(command[0]!)
  if ('version' in found) {
    const host = remoteHost(dir, command)
    afterAll(() => host.stop())
    describeConformance(`fetch handler on ${name} ${found.version}`, host.start)
    describeSignatures(`fetch handler on ${name} ${found.version}`, host.start)
  } else if (process.env.CI === 'true') {
    describe(`fetch handler on ${name}`, () => {
      it('runs: the runtime must be installed on CI', () => {
        throw new Error(`${name} cannot run here (${found.missing}); npm ci installs it from the "${name}" devDependency`)
      })
    })
  } else {
    describe.skip(`fetch handler on ${name}: not installed here (${found.missing}), skipped`, () => {
      it('runs the conformance suite', () => undefined)
    })
  }
}
