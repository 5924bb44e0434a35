import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { describeStatusTable } from './conformance.js'
import { type RunningExample, runExample } from './run-example.js'

const curl = promisify(execFile)
/** The events the example logged as accepted (`webhook accepted` lines), as `{ eventId, tenant, event }`. */
export const acceptedEvents = (example: RunningExample) =>
  example
    .logs()
    .filter((line) => line.msg === 'webhook accepted')
    .map(({ eventId, tenant, event }) => ({ eventId, tenant, event }))

/** How many events the example logged as accepted. */
export const acceptedLines = (example: RunningExample) => acceptedEvents(example).length

/**
 * What both receiver examples must do, as real processes started with npm
 * start: the whole status table, and the README's curl commands.
 */
export function describeReceiverExample(name: string, dir: string): void {
  describeStatusTable(
    `${name} (npm start)`,
    async () => {
      const example = await runExample(dir)
      return { url: example.url, handled: () => acceptedLines(example), close: () => example.stop() }
    },
    { fixtures: false },
  )

  describe(`${name}: the reference curl commands`, () => {
    let example: RunningExample
    beforeAll(async () => {
      example = await runExample(dir)
    })
    afterAll(() => example.stop())

    const payload = '{"event":"customer_update","data":{"id":"1234","status":"active"}}'

    it('accepts the Basic Auth command and logs one JSON line with tenant, event and id, never the token', async () => {
      const { stdout } = await curl('curl', ['-sS', '-X', 'POST', example.url, '-u', 'tenant123:api_token_abc123', '-H', 'Content-Type: application/json', '-d', payload])
      const { id } = JSON.parse(stdout) as { id: string }
      expect(JSON.parse(stdout)).toEqual({ accepted: true, id })
      await vi.waitFor(() => expect(acceptedEvents(example)).toContainEqual({ eventId: id, tenant: 'tenant123', event: 'customer_update' }))
      expect(example.logs().filter((line) => line.eventId === id)).toHaveLength(1)
      expect(example.lines.join('\n')).not.toContain('api_token_abc123')
      expect(example.lines.join('\n')).not.toContain(Buffer.from('tenant123:api_token_abc123').toString('base64'))
    })

    it('accepts the custom header (Bearer) command', async () => {
      const { stdout } = await curl('curl', ['-sS', '-X', 'POST', example.url, '-H', 'Authorization: Bearer api_token_abc123', '-H', 'Content-Type: application/json', '-d', payload])
      expect(JSON.parse(stdout)).toMatchObject({ accepted: true })
    })

    it('takes its credentials from TENANT_ID and API_TOKEN', async () => {
      const custom = await runExample(dir, { TENANT_ID: 'acme', API_TOKEN: 'secret_token_9' })
      try {
        const ok = await curl('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', custom.url, '-u', 'acme:secret_token_9', '-H', 'Content-Type: application/json', '-d', payload])
        const demo = await curl('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', custom.url, '-u', 'tenant123:api_token_abc123', '-H', 'Content-Type: application/json', '-d', payload])
        expect([ok.stdout, demo.stdout]).toEqual(['202', '401'])
      } finally {
        await custom.stop()
      }
    })
  })
}
