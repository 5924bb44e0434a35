import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { PROBLEMS, type ProblemCode, problem, problemResponse } from './problem.js'
import { unavailable } from './store-outage.js'

const errorsDoc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')

describe('the problem table', () => {
  it.each(Object.entries(PROBLEMS))('documents %s with its status in the error reference, docs/errors.md', (code, { status }) => {
    expect(errorsDoc).toContain(`| \`${code}\` | ${status} |`)
  })

  it('serialises RFC 9457 fields and keeps headers out of the body', () => {
    const response = problemResponse(problem('method.not_allowed', 'Send webhooks with POST.', { headers: { allow: 'POST' } }))
    expect(response.status).toBe(405)
    expect(response.headers).toEqual({ allow: 'POST', 'content-type': 'application/problem+json' })
    expect(JSON.parse(String(response.body))).toEqual({
      type: 'urn:webhook-trigger:problem:method.not_allowed',
      code: 'method.not_allowed' satisfies ProblemCode,
      title: 'Method not allowed',
      status: 405,
      detail: 'Send webhooks with POST.',
    })
  })

  it.each(['outbox.unavailable', 'log.unavailable'] as const)('answers %s, a store that did not answer in time, 503 with Retry-After', (code) => {
    const response = problemResponse(unavailable(code, 'Send it again later.'))
    expect(response.status).toBe(503)
    expect(response.headers).toEqual({ 'retry-after': '5', 'content-type': 'application/problem+json' })
    expect(JSON.parse(String(response.body))).toMatchObject({ code, status: 503 })
  })
})
