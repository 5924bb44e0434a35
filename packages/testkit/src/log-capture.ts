import { Writable } from 'node:stream'
import { type Logger, pino } from 'pino'

export interface CapturedLog {
  /** A real pino logger at `debug`, writing into `lines`. */
  logger: Logger
  /** Every line, parsed. */
  lines: Array<Record<string, unknown>>
  /** Every line as written, joined: what a grep over the log file would see. */
  text(): string
}

/** A pino logger whose destination is a stream we collect, as an app's log shipper would. */
export function captureLog(level = 'debug'): CapturedLog {
  const raw: string[] = []
  const lines: Array<Record<string, unknown>> = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString()
      raw.push(text)
      for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { logger: pino({ level }, destination), lines, text: () => raw.join('') }
}
