import { spawn } from 'node:child_process'

/**
 * Starts `node <args>` in `cwd` for tests that need a second process (two
 * writers racing on one SQLite file): `ready` once it printed its first
 * line, `go()` writes a line to its stdin, `done` is all it printed.
 */
export function startNodeWorker(cwd: string, args: string[]) {
  const child = spawn(process.execPath, args, { cwd, timeout: 15_000 })
  let out = ''
  let err = ''
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const done = new Promise<string>((resolve, reject) => {
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`worker exited ${code}: ${err}`))))
  })
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve()
    })
    done.then(() => reject(new Error('worker ended before it was ready')), reject)
  })
  return { ready, done, go: () => child.stdin.write('go\n') }
}
