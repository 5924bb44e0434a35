/**
 * Ids ordered by when they are due (ties: first in, first out), as a binary
 * min-heap. Entries are never removed in place: a caller bumps the id's
 * version when its due time changes, and stale entries are skipped on pop,
 * or dropped all at once by `retain()` when they pile up.
 */
export class DueQueue {
  #heap: Array<{ at: number; seq: number; id: string; version: number }> = []
  #seq = 0

  /** Entries held, stale ones included. */
  get size(): number {
    return this.#heap.length
  }

  push(id: string, at: number, version: number): void {
    const heap = this.#heap
    heap.push({ at, seq: this.#seq++, id, version })
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1
      if (!this.#before(i, parent)) break
      this.#swap(i, parent)
      i = parent
    }
  }

  /** The earliest entry due at or before `now`, removed; `undefined` when none is. */
  popDue(now: number): { id: string; version: number } | undefined {
    const heap = this.#heap
    const top = heap[0]
    if (top === undefined || top.at > now) return undefined
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      this.#down(0)
    }
    return top
  }

  /** Keeps only the entries `current` accepts, in their order, in O(n). */
  retain(current: (id: string, version: number) => boolean): void {
    this.#heap = this.#heap.filter((entry) => current(entry.id, entry.version))
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#down(i)
  }

  #down(i: number): void {
    const heap = this.#heap
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let least = i
      if (left < heap.length && this.#before(left, least)) least = left
      if (right < heap.length && this.#before(right, least)) least = right
      if (least === i) return
      this.#swap(i, least)
      i = least
    }
  }

  #before(a: number, b: number): boolean {
    const x = this.#heap[a]!
    const y = this.#heap[b]!
    return x.at < y.at || (x.at === y.at && x.seq < y.seq)
  }

  #swap(a: number, b: number): void {
    const heap = this.#heap
    ;[heap[a], heap[b]] = [heap[b]!, heap[a]!]
  }
}
