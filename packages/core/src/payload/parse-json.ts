import { isUtf8 } from 'node:buffer'
import { type Problem, problem } from '../problem.js'

export type ParseResult = { ok: true; value: unknown } | { ok: false; problem: Problem }

export const DEFAULT_MAX_DEPTH = 64

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

function countOf(text: string, char: string): number {
  let count = 0
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) count++
  return count
}

/**
 * True when arrays and objects nest deeper than `max`. One pass over the
 * text, skipping strings, before JSON.parse builds anything.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  // Nesting deeper than max needs more than max opening brackets: counting
  // them with indexOf (native) settles most bodies without the loop below.
  return text.length > max && openersIn(text) > max && scanDeeperThan(text, max)
}

/** How many `{` and `[` the text holds, strings included: an upper bound on its depth. */
function openersIn(text: string): number {
  return countOf(text, '{') + countOf(text, '[')
}

function scanDeeperThan(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) {
      inString = true
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    }
  }
  return false
}

/**
 * Below one opening bracket per this many characters, a body is parsed
 * before its depth is known. JSON.parse pays for every level of nesting
 * (a body of nested arrays costs it about 60 times a typical body of the
 * same size, a body of empty arrays side by side about 10 times): with
 * brackets this sparse, even fully nested they cost no more than the
 * densest flat body of that size, and the depth is checked on the value.
 * Denser bodies are scanned first, as before, so nothing deep is built.
 */
const SPARSE = 16

/**
 * Walks a parsed value for what the raw-text checks would have caught: a
 * `__proto__` key, or a `constructor` key holding `prototype` (JSON.parse
 * makes `__proto__` an own property, but `Object.assign`, spreads and naive
 * deep merges downstream do not), and nesting deeper than `maxDepth`.
 */
export function inspectValue(value: unknown, maxDepth: number): Problem | undefined {
  const stack: Array<{ node: unknown; path: string; depth: number }> = [{ node: value, path: '', depth: 0 }]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node, path, depth } = item
    if (node === null || typeof node !== 'object') continue
    if (depth >= maxDepth) return problem('payload.too_deep', `JSON may nest at most ${maxDepth} levels deep.`)
    for (const key of Object.keys(node)) {
      const child = (node as Record<string, unknown>)[key]
      const at = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
      if (key === '__proto__' || (key === 'constructor' && isObject(child) && Object.hasOwn(child, 'prototype'))) {
        return problem('payload.forbidden_key', `The key at ${at} is not allowed: it could pollute prototypes.`)
      }
      stack.push({ node: child, path: at, depth: depth + 1 })
    }
  }
  return undefined
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object'
}

/** Only a body containing one of these can spell a forbidden key (possibly with \u escapes), so most skip the walk. */
const suspicious = (text: string): boolean => text.includes('__proto__') || text.includes('constructor') || text.includes('\\u')

const tooDeep = (maxDepth: number): Problem => problem('payload.too_deep', `JSON may nest at most ${maxDepth} levels deep.`)

const EMPTY = Object.freeze({})

function inheritsKeys(): boolean {
  for (const _ in EMPTY) return true
  return false
}

/**
 * `inspectValue()`'s verdict in one walk that builds no paths: depth and
 * forbidden keys of every container, at a cost per container and key, not
 * per byte. Too deep wins over a forbidden key, as when depth is checked
 * on the text first; a forbidden key is looked up again for its path.
 * Without a problem, the number of containers walked (-1: not counted).
 */
function walkTree(root: unknown, maxDepth: number): Problem | number {
  if (!isObject(root)) return 0
  // for...in also lists inherited enumerable keys: with a polluted Object.prototype, the slow walk.
  if (inheritsKeys()) return inspectValue(root, maxDepth) ?? -1
  const nodes: object[] = [root]
  const depths: number[] = [0]
  let forbidden = false
  let containers = 0
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    containers++
    const depth = depths.pop()!
    if (depth >= maxDepth) return tooDeep(maxDepth)
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i]
        if (!isObject(child)) continue
        nodes.push(child)
        depths.push(depth + 1)
      }
      continue
    }
    // for...in over a parsed object lists its own keys (JSON.parse makes __proto__ an
    // own one), a few times faster on V8 than Object.keys(), which allocates an array.
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key]
      if (key === '__proto__' || (key === 'constructor' && isObject(child) && Object.hasOwn(child, 'prototype'))) forbidden = true
      if (!isObject(child)) continue
      nodes.push(child)
      depths.push(depth + 1)
    }
  }
  return (forbidden ? inspectValue(root, Infinity) : undefined) ?? containers
}

/** The checks that still apply to a value another body parser produced. */
export function checkParsed(value: unknown, maxDepth: number): ParseResult {
  const found = walkTree(value, maxDepth)
  return typeof found === 'number' ? { ok: true, value } : { ok: false, problem: found }
}

/**
 * A sparse body's depth and keys, checked on its value. JSON.parse keeps the
 * last of repeated keys, so a subtree under an earlier one is built, dropped
 * and never walked: `{"d":[[[...]]],"d":0}` would pass any depth, and its
 * bytes are what gets forwarded. Every `{` and `[` of the text is a container
 * of the value unless one was dropped so (or sits inside a string); when the
 * counts differ, the text decides the depth.
 */
function checkSparse(value: unknown, text: string, openers: number, maxDepth: number): Problem | undefined {
  const walked = walkTree(value, maxDepth)
  if (typeof walked !== 'number') return walked
  return walked !== openers && scanDeeperThan(text, maxDepth) ? tooDeep(maxDepth) : undefined
}

/**
 * Decodes and parses a JSON body: strict UTF-8, bounded depth, no
 * prototype-polluting keys. Never throws for bad input.
 */
export function parseJson(bytes: Uint8Array, maxDepth: number): ParseResult {
  if (bytes.length === 0) return { ok: false, problem: problem('payload.empty', 'Send a JSON body.') }
  if (!isUtf8(bytes)) {
    return { ok: false, problem: problem('payload.invalid_utf8', 'The body is not valid UTF-8 (RFC 8259 section 8.1).') }
  }
  let text = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8')
  // A byte order mark is not JSON, but it is harmless: RFC 8259 lets parsers ignore it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  // At most max openers cannot nest deeper than max: no walk for depth.
  const openers = text.length > maxDepth ? openersIn(text) : 0
  const mayNest = openers > maxDepth
  // Sparse: depth is checked on the value, in the walk that looks for keys.
  const sparse = mayNest && openers * SPARSE <= text.length
  if (mayNest && !sparse && scanDeeperThan(text, maxDepth)) return { ok: false, problem: tooDeep(maxDepth) }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    // Only whitespace: asked for here, off the path of every valid body.
    if (text.trim() === '') return { ok: false, problem: problem('payload.empty', 'Send a JSON body.') }
    // Too deep is the answer whether or not the rest is valid, as for a dense body.
    if (sparse && scanDeeperThan(text, maxDepth)) return { ok: false, problem: tooDeep(maxDepth) }
    const position = /position (\d+)/.exec(String(error))?.[1]
    const where = position === undefined ? '' : ` near character ${position}`
    return { ok: false, problem: problem('payload.malformed', `The body is not valid JSON${where}.`) }
  }
  // A sparse body is walked once for depth and keys; the others, whose depth
  // is known, only when their text could spell a forbidden key.
  const found = sparse ? checkSparse(value, text, openers, maxDepth) : suspicious(text) ? inspectValue(value, Infinity) : undefined
  return found === undefined ? { ok: true, value } : { ok: false, problem: found }
}
