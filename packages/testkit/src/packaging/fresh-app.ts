import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'

const exec = promisify(execFile)

/**
 * The environment without what `npm test` sets for its own scripts
 * (`npm_config_*`, `npm_package_*`...), so an app's npm acts as it would
 * for a user in that folder, not as part of this workspace.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'))
  return { ...env, ...extra }
}

/** Runs a command to its end; rejects with its output when it exits non-zero. */
export async function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env: cleanEnv(env), maxBuffer: 16 * 1024 * 1024 })
    return stdout + stderr
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, { cause: error })
  }
}

export interface AppSpec {
  /** `module` for ESM apps; `commonjs` when the app is CommonJS. */
  type: 'module' | 'commonjs'
  /** What `npm install` gets: tarball paths and registry specs such as `express@5`. */
  install: string[]
  files?: Record<string, string>
}

/** A new app folder outside the workspace, with its own package.json, installed as a user would. */
export async function freshApp(root: string, name: string, spec: AppSpec): Promise<string> {
  const dir = join(root, name)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: spec.type }, null, 2))
  for (const [file, text] of Object.entries(spec.files ?? {})) await writeFile(join(dir, file), text)
  await run(dir, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...spec.install])
  return dir
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface Started {
  child: ChildProcess
  output: () => string
  stop(): Promise<void>
}

/** Starts `node <args>` in `dir` and waits until `port` accepts connections. */
export async function startNode(
  dir: string,
  args: string[],
  port: number,
  { node = process.execPath, timeoutMs = 20_000, env = {} }: { node?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<Started> {
  const child = spawn(node, args, { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
  for (const started = Date.now(); ; await sleep(50)) {
    if (child.exitCode !== null) throw new Error(`node ${args.join(' ')} exited with ${child.exitCode}:\n${output}`)
    if (await accepts(port)) return { child, output: () => output, stop }
    if (Date.now() - started > timeoutMs) {
      await stop()
      throw new Error(`node ${args.join(' ')} did not listen on ${port} within ${timeoutMs} ms:\n${output}`)
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
