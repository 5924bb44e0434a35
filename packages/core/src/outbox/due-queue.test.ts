import { describe, expect, it } from 'vitest'
import { DueQueue } from './due-queue.js'

function drain(queue: DueQueue): string[] {
  const out: string[] = []
  for (let next = queue.popDue(Infinity); next !== undefined; next = queue.popDue(Infinity)) out.push(next.id)
  return out
}

describe('DueQueue', () => {
  it('pops what is due, earliest first and first in first out on ties', () => {
    const queue = new DueQueue()
    for (const [id, at] of [['c', 30], ['a', 10], ['b', 20], ['a2', 10]] as const) queue.push(id, at, 0)
    expect(queue.popDue(5)).toBeUndefined()
    expect(queue.popDue(10)).toMatchObject({ id: 'a', version: 0 })
    expect(drain(queue)).toEqual(['a2', 'b', 'c'])
  })

  it('after retain(), holds only current entries and still pops them in order', () => {
    const queue = new DueQueue()
    const expected: Array<{ id: string; at: number; seq: number }> = []
    // Times out of order and repeated, every third entry stale.
    for (let i = 0; i < 3000; i++) {
      const at = (i * 7919) % 101
      queue.push(`e${i}`, at, i % 3 === 0 ? 0 : 1)
      if (i % 3 !== 0) expected.push({ id: `e${i}`, at, seq: i })
    }
    queue.retain((_id, version) => version === 1)
    expect(queue.size).toBe(expected.length)
    expected.sort((x, y) => x.at - y.at || x.seq - y.seq)
    expect(drain(queue)).toEqual(expected.map((e) => e.id))
  })
})
