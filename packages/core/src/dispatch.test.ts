import { describe, expect, it, vi } from 'vitest'
import { type DispatchHost, createDispatch } from './dispatch.js'
import type { VerifiedWebhook } from './webhook.js'

const webhook = { id: 'evt_1', event: 'customer_update' } as VerifiedWebhook

function host(overrides: Partial<DispatchHost> = {}) {
  const answers: number[] = []
  let answered = false
  const it: DispatchHost = {
    answered: () => answered,
    answer: (response) => {
      answers.push(response.status)
      answered = true
    },
    ...overrides,
  }
  return { it, answers, answer: () => (answered = true) }
}

describe('createDispatch()', () => {
  it('runs the event\'s on handler before the catch-all, then answers 202 synchronously', () => {
    const on = vi.fn()
    const fallback = vi.fn()
    const { it: h, answers } = host()
    expect(createDispatch<[]>({ customer_update: on }, fallback, 'webhook()')(webhook, [], h)).toBeUndefined()
    expect([on.mock.calls.length, fallback.mock.calls.length, answers]).toEqual([1, 0, [202]])
  })

  it('leaves the answer to a handler that gave one, after awaiting it', async () => {
    const state = host()
    const dispatch = createDispatch<[]>(undefined, () => Promise.resolve().then(state.answer), 'webhook()')
    await dispatch(webhook, [], state.it)
    expect(state.answers).toEqual([])
  })

  it('hands on when nothing is configured, and answers 202 after a next() it can wait for, unless answered', async () => {
    const dispatch = createDispatch<[]>(undefined, undefined, 'webhook()')
    const waited = host({ next: () => Promise.resolve() })
    await dispatch(webhook, [], waited.it)
    expect(waited.answers).toEqual([202])
    const sync = host({ next: () => undefined })
    expect(dispatch(webhook, [], sync.it)).toBeUndefined()
    expect(sync.answers).toEqual([])
  })

  it('answers 202 when nothing is configured and nothing follows', () => {
    const dispatch = createDispatch<[]>(undefined, undefined, 'webhook()')
    const next = vi.fn()
    for (const state of [host(), host({ next, follows: () => false })]) {
      void dispatch(webhook, [], state.it)
      expect(state.answers).toEqual([202])
    }
    expect(next).not.toHaveBeenCalled()
  })

  it('lets a throw propagate and a rejection reject, answering nothing', async () => {
    const state = host()
    expect(() => createDispatch<[]>(undefined, () => { throw new Error('sync') }, 'webhook()')(webhook, [], state.it)).toThrow('sync')
    await expect(createDispatch<[]>(undefined, () => Promise.reject(new Error('async')), 'webhook()')(webhook, [], state.it)).rejects.toThrow('async')
    expect(state.answers).toEqual([])
  })

  it('hands a throw and a rejection to fail when the host gives it, returning nothing', async () => {
    const failed: unknown[] = []
    const state = host({ fail: (error) => failed.push((error as Error).message) })
    expect(createDispatch<[]>(undefined, () => { throw new Error('sync') }, 'webhook()')(webhook, [], state.it)).toBeUndefined()
    expect(createDispatch<[]>(undefined, () => Promise.reject(new Error('async')), 'webhook()')(webhook, [], state.it)).toBeUndefined()
    await vi.waitFor(() => expect(failed).toEqual(['sync', 'async']))
    expect(state.answers).toEqual([])
  })

  it('hands a throw while writing the 202 to fail, with or without a handler', () => {
    const fail = vi.fn()
    const state = host({ fail, answer: () => { throw new Error('socket gone') } })
    for (const handler of [undefined, () => undefined]) void createDispatch<[]>(undefined, handler, 'webhook()')(webhook, [], state.it)
    expect(fail.mock.calls.map(([error]) => (error as Error).message)).toEqual(['socket gone', 'socket gone'])
  })

  it('leaves what next() throws to the host, even with fail given', () => {
    const fail = vi.fn()
    const state = host({ fail, next: () => { throw new Error('downstream') } })
    expect(() => createDispatch<[]>(undefined, undefined, 'webhook()')(webhook, [], state.it)).toThrow('downstream')
    expect(fail).not.toHaveBeenCalled()
  })

  it('refuses a handler that is not a function at creation', () => {
    expect(() => createDispatch<[]>({ a: 'x' as never }, undefined, 'webhook()')).toThrow('webhook(): on["a"] must be a function')
  })
})
