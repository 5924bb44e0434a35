import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { UsageError } from './usage-error.js'

export interface Listening {
  port: number
  host?: string | undefined
}

/**
 * Listens with bounded header and request times (a slow client cannot hold a
 * socket forever), and turns "port in use" into one line the user can act on.
 * Prints `<name> listening on <url>` once the port is bound.
 */
export async function serve(name: string, server: Server, { port, host }: Listening, path: string): Promise<string> {
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  server.keepAliveTimeout = 5_000
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const where = host === undefined ? `port ${port}` : `${host}:${port}`
    if (code === 'EADDRINUSE') throw new UsageError(`${where} is already in use; stop what runs there or choose another --port`)
    if (code === 'EACCES') throw new UsageError(`not allowed to listen on ${where}; choose a --port above 1023`)
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host ${host} is not an address of this machine`)
    throw error
  }
  const bound = (server.address() as AddressInfo).port
  const shown = host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host
  const url = `http://${shown}:${bound}${path}`
  console.log(`${name} listening on ${url}`)
  return url
}

/** Closes the server: no new connections, idle keep-alive ones ended, requests in flight allowed to finish. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeIdleConnections()
  })
}

/**
 * On SIGTERM or SIGINT, runs `stop` and exits 0. A second signal, or a stop
 * taking longer than `graceMs`, exits at once with 1.
 */
export function stopOnSignals(stop: () => Promise<void>, graceMs = 10_000): void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1)
    stopping = true
    console.log(`${signal}: stopping`)
    setTimeout(() => {
      console.error(`still stopping after ${graceMs} ms; exiting`)
      process.exit(1)
    }, graceMs).unref()
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`error while stopping: ${error instanceof Error ? error.message : String(error)}`)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}

/** A URL for display: user name and password removed, since they are credentials. */
export function shown(url: string): string {
  const parsed = new URL(url)
  parsed.username = ''
  parsed.password = ''
  return parsed.href
}
