import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
// The runner as built: startServer() starts dist/servers/<file>.js next to it.
import { CONFIGS, selectConfigs, withTargetsFor } from '../dist/configs.js'
import { PATH, REFERENCE_PAYLOAD, requestHeaders } from '../dist/fixture.js'
import { parseOptions } from '../dist/options.js'
import { startServer } from '../dist/server-process.js'

describe('bench runner', () => {
  it("starts a server without V8's memory reducer, then the --node-flags asked for, and it answers", async () => {
    const { nodeFlags } = parseOptions(['--node-flags=--memory-reducer --stack-size=2000'], {})
    const server = await startServer('node-http', 'node-http', { cpu: undefined, nodeArgs: nodeFlags })
    try {
      // The flags the process runs with; a later flag wins, so --memory-reducer can undo the default.
      const args = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0')
      expect(args.filter((arg) => arg.startsWith('--'))).toEqual(['--no-memory-reducer', '--memory-reducer', '--stack-size=2000'])
      const response = await fetch(`${server.origin}${PATH}`, { method: 'POST', headers: requestHeaders('basic', REFERENCE_PAYLOAD), body: REFERENCE_PAYLOAD })
      expect(response.status).toBe(202)
    } finally {
      await server.stop()
    }
  })

  it('takes node flags from BENCH_NODE_FLAGS, split on spaces', () => {
    expect(parseOptions([], { BENCH_NODE_FLAGS: ' --trace-gc  --max-semi-space-size=8 ' }).nodeFlags).toEqual(['--trace-gc', '--max-semi-space-size=8'])
    expect(parseOptions([], {}).nodeFlags).toEqual([])
  })

  it('judges a larger body by the payload-size targets, and a size without targets by none', () => {
    const targets = (size: number) => Object.fromEntries(withTargetsFor(CONFIGS, size).filter((c) => c.target !== undefined).map((c) => [c.name, c.target]))
    expect(targets(0)).toMatchObject({ 'ours-core': 0.85, 'ours-express-basic': 1.2, 'ours-fastify-basic': 1.1 })
    expect(targets(10 * 1024)).toEqual({ 'ours-core': 0.9, 'ours-express-basic': 1.2, 'ours-koa-basic': 1.05, 'ours-core-github': 1, 'ours-express-relay': 1.5 })
    expect(targets(64 * 1024)).toEqual({ 'ours-core': 0.9, 'ours-express-basic': 1.05, 'ours-koa-basic': 1.05, 'ours-core-github': 1 })
    expect(targets(32 * 1024)).toEqual({})
  })

  it('loads the reference again last, also when only the core is asked for', () => {
    expect(CONFIGS.at(-1)).toMatchObject({ name: 'node-http-late', server: 'node-http', peer: 'node-http' })
    expect(selectConfigs(['ours-core']).map((config) => config.name)).toEqual(['node-http', 'node-http-digest', 'ours-core', 'node-http-late'])
  })
})
