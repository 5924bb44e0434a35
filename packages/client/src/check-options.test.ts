import { describe, expect, it } from 'vitest'
import { checkOptions } from './check-options.js'

const KNOWN = ['auth', 'path', 'limit', 'maxDepth', 'envelope', 'handler'] as const

describe('checkOptions()', () => {
  it.each([
    ['pth', 'path'],
    ['Path', 'path'],
    ['limt', 'limit'],
    ['maxdepth', 'maxDepth'],
    ['maxDetph', 'maxDepth'],
    ['handlers', 'handler'],
  ])('names the unknown key %j and the closest known one, %j', (key, near) => {
    expect(() => checkOptions('webhook()', { auth: [], [key]: 1 }, KNOWN)).toThrow(
      new TypeError(`webhook(): unknown option "${key}"; did you mean "${near}"? Known options: auth, path, limit, maxDepth, envelope, handler`),
    )
  })

  it('suggests nothing for a key that is no typo of a known one', () => {
    expect(() => checkOptions('webhook()', { retries: 3 }, KNOWN)).toThrow(/^webhook\(\): unknown option "retries"\. Known options: auth,/)
  })

  it('names nested objects by what they are', () => {
    expect(() => checkOptions('retry', { retires: 3 }, ['retries', 'baseDelay'], 'retry option')).toThrow(
      'retry: unknown retry option "retires"; did you mean "retries"? Known retry options: retries, baseDelay',
    )
  })

  it.each([[undefined], [null], ['text'], [[1, 2]], [{}], [{ auth: [], path: '/x' }]])('accepts %j (the factory checks types itself)', (options) => {
    expect(() => checkOptions('webhook()', options, KNOWN)).not.toThrow()
  })

  it('reads own enumerable keys only, so options built from a class instance pass', () => {
    const options = Object.create({ inherited: true }) as Record<string, unknown>
    options.path = '/webhook'
    expect(() => checkOptions('webhook()', options, KNOWN)).not.toThrow()
  })
})
