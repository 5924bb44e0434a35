import { readFileSync } from 'node:fs'

export interface CodeBlock {
  /** The info string's first word: `ts`, `js`, `sh`... */
  lang: string
  code: string
}

/** The fenced code blocks of a Markdown file, in order. */
export function codeBlocks(path: string): CodeBlock[] {
  const blocks: CodeBlock[] = []
  const fence = /^```(\w*)[^\n]*\n([\s\S]*?)^```\s*$/gm
  for (const [, lang = '', code = ''] of readFileSync(path, 'utf8').matchAll(fence)) blocks.push({ lang, code })
  return blocks
}

/** The first block that `accept` takes; throws naming the README when there is none. */
export function firstBlock(path: string, what: string, accept: (block: CodeBlock) => boolean): string {
  const block = codeBlocks(path).find(accept)
  if (block === undefined) throw new Error(`${path} has no ${what} code block`)
  return block.code
}

/** The README's local ports (3000 the receiver, 3002 an intermediary) moved to the test's free ones. */
export function onPorts(code: string, ports: { receiver: number; intermediary?: number }): string {
  const moved = code.replace(/\b3000\b/g, String(ports.receiver))
  return ports.intermediary === undefined ? moved : moved.replace(/\b3002\b/g, String(ports.intermediary))
}
