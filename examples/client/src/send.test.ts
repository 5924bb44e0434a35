import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type RunningExample, acceptedEvents, runExample } from '@webhook-trigger/testkit'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const run = promisify(execFile)

describe('client example (npm start -w examples/client)', () => {
  let receiver: RunningExample
  beforeAll(async () => {
    receiver = await runExample(here('../../express-receiver'))
  })
  afterAll(() => receiver.stop())

  const start = (env: Record<string, string>) =>
    run('npm', ['start', '--silent', '-w', 'examples/client'], { cwd: here('../../..'), env: { ...process.env, ...env } }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    )

  it('sends the reference payload and prints the delivered result', async () => {
    const { code, stdout } = await start({ TARGET_URL: receiver.url })
    expect(code).toBe(0)
    const result = JSON.parse(stdout) as { outcome: string; idempotencyKey: string }
    expect(result).toMatchObject({ outcome: 'delivered', status: 202, attempts: 1 })
    await vi.waitFor(() => expect(acceptedEvents(receiver)).toContainEqual({ eventId: result.idempotencyKey, tenant: 'tenant123', event: 'customer_update' }))
  })

  it('exits 1 and prints the receiver\'s problem for a wrong token', async () => {
    const { code, stdout } = await start({ TARGET_URL: receiver.url, API_TOKEN: 'wrong' })
    expect(code).toBe(1)
    expect(JSON.parse(stdout)).toMatchObject({ outcome: 'rejected', status: 401, problem: { code: 'auth.invalid' } })
  })
})
