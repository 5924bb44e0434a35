import { connect } from 'node:net'

/** What became of one request: the status of the first answer, or why there was none. */
export type Outcome =
  | { kind: 'status'; status: number }
  /** The server closed the connection without answering. */
  | { kind: 'closed' }
  /** Neither an answer nor a close before the deadline. */
  | { kind: 'hang' }
  /** The connection could not be made: the server is gone. */
  | { kind: 'refused'; message: string }

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3}) /

/**
 * Writes `bytes` to a fresh connection and waits for the first status line,
 * then drops the connection: the server must cope with a client that leaves
 * mid-answer too. The write side stays open, so a request that declares
 * more body than it sends waits for the server's own timeout.
 */
export function sendRaw(port: number, bytes: Buffer, deadlineMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let received = Buffer.alloc(0)
    let connected = false
    const finish = (outcome: Outcome) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => finish({ kind: 'hang' }), deadlineMs)
    socket.setNoDelay(true)
    socket.once('connect', () => {
      connected = true
      socket.write(bytes)
    })
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const end = received.indexOf('\r\n')
      if (end === -1) return
      const status = STATUS_LINE.exec(received.subarray(0, end + 1).toString('latin1'))?.[1]
      finish(status === undefined ? { kind: 'status', status: 0 } : { kind: 'status', status: Number(status) })
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) return finish({ kind: 'refused', message: error.code ?? error.message })
      // ECONNRESET, EPIPE: the server hung up on us, which the close below reports.
    })
    socket.on('close', () => finish({ kind: 'closed' }))
  })
}
