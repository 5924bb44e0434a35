import { once } from 'node:events'
import { type AddressInfo, createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { runToExit } from './run-example.js'

/**
 * An example started on a port something else holds says so in one line,
 * naming itself, the port and the fix, and exits non-zero: no stack trace,
 * no "Cannot destructure property 'port'".
 */
export function describePortInUse(label: string, dir: string, env: Record<string, string> = {}): void {
  describe(`${label} example: port already in use`, () => {
    it('reports EADDRINUSE in one line and exits 1', async () => {
      // Listening on every address, as the example does, so the two collide on any stack.
      const holder = createServer().listen(0)
      await once(holder, 'listening')
      const { port } = holder.address() as AddressInfo
      try {
        const exited = await runToExit(dir, { ...env, PORT: String(port) })
        expect(exited.code).toBe(1)
        expect(exited.stderr).toEqual([`${label}: port ${port} is already in use (EADDRINUSE); set PORT to another port`])
        expect(exited.stdout.filter((line) => line.includes('listening'))).toEqual([])
      } finally {
        holder.close()
      }
    })
  })
}
