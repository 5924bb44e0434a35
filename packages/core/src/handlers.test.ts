import { describe, expect, it } from 'vitest'
import { acceptedResponse } from './handlers.js'

describe('acceptedResponse()', () => {
  it.each(['3f1c9a2e-0b7d-4c55-9d0e-2a1f5b6c7d8e', 'msg_2Lh9', 'a.b:c-d', 'quote"and\\backslash', 'ünïcödé', 'line\nbreak', ''])(
    'writes the same JSON as JSON.stringify for the id %j',
    (id) => {
      const { body } = acceptedResponse({ id })
      expect(body).toBe(JSON.stringify({ accepted: true, id }))
      expect(acceptedResponse({ id }, true).body).toBe(JSON.stringify({ accepted: true, id, replay: true }))
    },
  )

  it('still writes valid JSON for a non-string id from a JavaScript caller', () => {
    for (const id of [123, undefined, null] as unknown as string[]) {
      expect(() => JSON.parse(String(acceptedResponse({ id }).body)) as unknown).not.toThrow()
    }
  })
})
