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
  if (text.length <= max || countOf(text, '{') + countOf(text, '[') <= max) return false
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

/** The checks that still apply to a value another body parser produced. */
export function checkParsed(value: unknown, maxDepth: number): ParseResult {
  const found = inspectValue(value, maxDepth)
  return found === undefined ? { ok: true, value } : { ok: false, problem: found }
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
  if (nestsDeeperThan(text, maxDepth)) {
    return { ok: false, problem: problem('payload.too_deep', `JSON may nest at most ${maxDepth} levels deep.`) }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    // Only whitespace: asked for here, off the path of every valid body.
    if (text.trim() === '') return { ok: false, problem: problem('payload.empty', 'Send a JSON body.') }
    const position = /position (\d+)/.exec(String(error))?.[1]
    const where = position === undefined ? '' : ` near character ${position}`
    return { ok: false, problem: problem('payload.malformed', `The body is not valid JSON${where}.`) }
  }
  // Depth was checked on the text, so the walk only looks for keys.
  const found = suspicious(text) ? inspectValue(value, Infinity) : undefined
  return found === undefined ? { ok: true, value } : { ok: false, problem: found }
}

