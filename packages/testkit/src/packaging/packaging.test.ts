/**
 * The packages as a new user gets them: `npm pack` every public package,
 * install the tarballs (with express, koa and the rest from the registry)
 * into fresh apps outside the workspace, and run each package README's own
 * first snippet against the reference curl commands.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type Started, freePort, freshApp, run, startNode } from './fresh-app.js'
import { cachePrebuiltSqlite } from './prebuilt.js'
import { firstBlock, onPorts } from './readme.js'

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..')
const PUBLIC = ['cli', 'client', 'core', 'express', 'fastify', 'fetch', 'koa', 'outbox-sqlite', 'prometheus', 'redis'] as const
type Public = (typeof PUBLIC)[number]
const readme = (pkg: Public) => join(REPO, 'packages', pkg, 'README.md')
/**
 * The first snippet of each kind in a package's README: what a reader of its
 * npm page pastes. The ES module snippets are valid TypeScript too, and are
 * type-checked as such.
 */
const snippet = {
  js: (pkg: Public) => firstBlock(readme(pkg), 'JavaScript', (b) => b.lang === 'js' && !b.code.includes('require(')),
  cjs: (pkg: Public) => firstBlock(readme(pkg), 'CommonJS', (b) => b.lang === 'js' && b.code.includes('require(')),
  nextRoute: () => firstBlock(readme('fetch'), 'Next.js route', (b) => b.lang === 'ts' && b.code.includes('export const POST')),
}

const REPOSITORY = 'https://github.com/webhook-trigger/webhook-trigger'
const ENVELOPE = '{"event":"customer_update","data":{"id":"1234","status":"active"}}'
/** The two reference commands, and one with a wrong token; each prints only the status. */
const curls = (url: string) => ({
  basic: ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', url, '-u', 'tenant123:api_token_abc123', '-H', 'Content-Type: application/json', '-d', ENVELOPE],
  bearer: ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', url, '-H', 'Authorization: Bearer api_token_abc123', '-H', 'Content-Type: application/json', '-d', ENVELOPE],
  wrong: ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', url, '-u', 'tenant123:wrong_token', '-H', 'Content-Type: application/json', '-d', ENVELOPE],
})
const curl = (args: string[]) => run(REPO, 'curl', args)

/** The settings the README recommends: strict, and `nodenext` for ESM and CommonJS apps alike. */
const TSCONFIG = JSON.stringify({
  compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', outDir: 'dist', skipLibCheck: false, types: ['node'] },
  include: ['index.ts'],
})
const TYPESCRIPT = ['typescript@~5.9.3', '@types/node@20']
/** The lowest Node that package.json's `engines` allows, from the npm registry's Node binaries. */
const ENGINES_FLOOR = '20.19.0'

let root: string
const tarball = {} as Record<Public, string>
const apps = {} as Record<string, string>
const running: Started[] = []

async function packAll(): Promise<void> {
  for (const pkg of PUBLIC) {
    const out = await run(REPO, 'npm', ['pack', '-w', `packages/${pkg}`, '--pack-destination', root, '--json', '--silent'])
    const [{ filename }] = JSON.parse(out.slice(out.indexOf('['))) as [{ filename: string }]
    tarball[pkg] = join(root, filename)
  }
}

/** Three installs at a time: mostly waiting on the registry, but better-sqlite3 compiles on one core. */
async function installAll(specs: Record<string, Parameters<typeof freshApp>[2]>): Promise<void> {
  const queue = Object.entries(specs)
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) apps[next[0]] = await freshApp(root, next[0], next[1])
  }
  await Promise.all([worker(), worker(), worker()])
}

async function serve(app: string, args: string[], port: number, node?: string, env?: Record<string, string>): Promise<Started> {
  const started = await startNode(apps[app]!, args, port, { node, env })
  running.push(started)
  return started
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webhook-trigger-packaging-'))
  await Promise.all([packAll(), cachePrebuiltSqlite(REPO)])
  const receiver = [tarball.client, tarball.core, tarball.express]
  const koa = [tarball.client, tarball.core, tarball.koa, '@koa/router@15', ...TYPESCRIPT]
  const ts = { 'tsconfig.json': TSCONFIG }
  await installAll({
    'express5-esm': { type: 'module', install: [...receiver, 'express@5'] },
    'express4-cjs': { type: 'commonjs', install: [...receiver, 'express@4'] },
    'koa3-router-ts': { type: 'module', install: [...koa, 'koa@3', '@types/koa@3'], files: ts },
    'koa2-router-ts': { type: 'module', install: [...koa, 'koa@2', '@types/koa@2'], files: ts },
    'express-ts-esm': { type: 'module', install: [...receiver, 'express@5', '@types/express@5', ...TYPESCRIPT], files: ts },
    'express-ts-cjs': { type: 'commonjs', install: [...receiver, 'express@4', '@types/express@4', ...TYPESCRIPT], files: ts },
    'sqlite-intermediary': { type: 'module', install: [...receiver, tarball['outbox-sqlite'], 'express@5'] },
    'client-only': { type: 'module', install: [tarball.client] },
    // As a user installs it: the CLI and its @webhook-trigger dependencies, the rest (commander, express) from the registry.
    cli: { type: 'module', install: [tarball.cli, ...receiver, tarball['outbox-sqlite']] },
    'node-engines-floor': { type: 'commonjs', install: [`node-${process.platform}-${process.arch}@${ENGINES_FLOOR}`] },
    'next-app-router': { type: 'module', install: [tarball.client, tarball.core, tarball.fetch, 'next@16', 'react@19', 'react-dom@19', '@types/react@19', ...TYPESCRIPT] },
  })
}, 600_000)

afterAll(async () => {
  await Promise.all(running.map((started) => started.stop()))
  if (root !== undefined) await rm(root, { recursive: true, force: true })
})

describe('every public package, as npm would publish it', () => {
  it.each(PUBLIC)('@webhook-trigger/%s passes publint --strict', async (pkg) => {
    expect(await run(REPO, 'npx', ['publint', '--strict', `packages/${pkg}`])).toMatch(/All good!/)
  })

  // CJSResolvesToESM is the one rule left out: the packages are ES modules, which
  // CommonJS loads with require() from Node 20.19 (the `engines` floor, tested below)
  // and TypeScript types with `module: nodenext` (tested below); attw models older TypeScript.
  it.each(PUBLIC)('@webhook-trigger/%s has types that resolve (@arethetypeswrong/cli)', async (pkg) => {
    expect(await run(REPO, 'npx', ['attw', tarball[pkg], '--ignore-rules', 'cjs-resolves-to-esm', '--no-color', '--no-emoji'])).toMatch(/No problems found/)
  })

  it.each(PUBLIC)('@webhook-trigger/%s carries LICENSE, README, CHANGELOG and its metadata, and no source map', async (pkg) => {
    const files = (await run(root, 'tar', ['tzf', tarball[pkg]])).split('\n')
    expect(files).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/CHANGELOG.md', 'package/package.json']))
    expect(files.filter((file) => file.endsWith('.map') || file.includes('.test.'))).toEqual([])
    const manifest = JSON.parse(await run(root, 'tar', ['xzf', tarball[pkg], '-O', 'package/package.json'])) as Record<string, unknown>
    expect(manifest).toMatchObject({ license: 'MIT', repository: { directory: `packages/${pkg}` }, bugs: { url: `${REPOSITORY}/issues` } })
    expect(manifest.homepage).toBe(`${REPOSITORY}/tree/main/packages/${pkg}#readme`)
    expect(manifest.keywords).toEqual(expect.arrayContaining(['webhook']))
    for (const range of Object.entries((manifest.dependencies ?? {}) as Record<string, string>).filter(([name]) => name.startsWith('@webhook-trigger/'))) {
      expect(range[1]).toMatch(/^\^/)
    }
  })
})

async function expectReferenceAnswers(port: number): Promise<void> {
  const commands = curls(`http://127.0.0.1:${port}/webhook`)
  expect(await curl(commands.basic)).toBe('202')
  expect(await curl(commands.bearer)).toBe('202')
  expect(await curl(commands.wrong)).toBe('401')
}

describe('installed into fresh apps, each README snippet answers the reference curl commands', () => {

  it('Express 5, ES modules: the express README snippet', async () => {
    const port = await freePort()
    const app = apps['express5-esm']!
    await writeFile(join(app, 'index.js'), onPorts(snippet.js('express'), { receiver: port }))
    const server = await serve('express5-esm', ['index.js'], port)
    await expectReferenceAnswers(port)
    expect(server.output()).not.toContain('api_token_abc123')
  })

  it.each([
    ['this Node', process.execPath],
    [`Node ${ENGINES_FLOOR}, the engines floor`, 'floor'],
  ])('Express 4, CommonJS require(), on %s', async (_, node) => {
    const port = await freePort()
    const app = apps['express4-cjs']!
    await writeFile(join(app, 'index.js'), onPorts(snippet.cjs('express'), { receiver: port }))
    const binary = node === 'floor' ? join(apps['node-engines-floor']!, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node') : node
    expect(await run(app, binary, ['--version'])).toContain(node === 'floor' ? ENGINES_FLOOR : process.version)
    await serve('express4-cjs', ['index.js'], port, binary)
    await expectReferenceAnswers(port)
    await running.pop()!.stop()
  })

  it.each(['koa3-router-ts', 'koa2-router-ts'])('%s: the koa README snippet, as index.ts, type-checks under strict TypeScript and answers', async (app) => {
    const port = await freePort()
    const dir = apps[app]!
    await writeFile(join(dir, 'index.ts'), onPorts(snippet.js('koa'), { receiver: port }))
    await run(dir, 'npx', ['tsc', '-p', '.'])
    await serve(app, ['dist/index.js'], port)
    await expectReferenceAnswers(port)
  })

  it.each(['express-ts-esm', 'express-ts-cjs'])('%s: the express README snippet, as index.ts, compiles with module nodenext and answers', async (app) => {
    const port = await freePort()
    const dir = apps[app]!
    await writeFile(join(dir, 'index.ts'), onPorts(snippet.js('express'), { receiver: port }))
    await run(dir, 'npx', ['tsc', '-p', '.'])
    const emitted = await readFile(join(dir, 'dist', 'index.js'), 'utf8')
    expect(emitted.includes('require(')).toBe(app.endsWith('cjs'))
    await serve(app, ['dist/index.js'], port)
    await expectReferenceAnswers(port)
  })

  it('the SQLite intermediary from the outbox-sqlite README delivers to the Express receiver', async () => {
    const [receiver, intermediary] = [await freePort(), await freePort()]
    await writeFile(join(apps['express5-esm']!, 'receiver.js'), onPorts(snippet.js('express'), { receiver }))
    const upstream = await serve('express5-esm', ['receiver.js'], receiver)
    const dir = apps['sqlite-intermediary']!
    await writeFile(join(dir, 'index.js'), onPorts(snippet.js('outbox-sqlite'), { receiver, intermediary }))
    await serve('sqlite-intermediary', ['index.js'], intermediary)
    const event = '{"event":"customer_update","data":{"id":"sqlite-1"}}'
    const status = await curl(['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', `http://127.0.0.1:${intermediary}/webhook`, '-H', 'X-Api-Key: crm_key_123', '-H', 'Content-Type: application/json', '-d', event])
    expect(status).toBe('202')
    await vi.waitFor(() => expect(upstream.output()).toContain('customer_update'), { timeout: 10_000 })
    expect(existsSync(join(dir, 'data'))).toBe(true)
  })

  it('the client alone installs no dependency and its README snippet is delivered', async () => {
    const dir = apps['client-only']!
    expect(await readdir(join(dir, 'node_modules'))).toEqual(['.package-lock.json', '@webhook-trigger'])
    expect(await readdir(join(dir, 'node_modules', '@webhook-trigger'))).toEqual(['client'])
    const port = await freePort()
    await writeFile(join(apps['express5-esm']!, 'receiver2.js'), onPorts(snippet.js('express'), { receiver: port }))
    await serve('express5-esm', ['receiver2.js'], port)
    await writeFile(join(dir, 'index.js'), onPorts(snippet.js('client'), { receiver: port }))
    expect(await run(dir, 'node', ['index.js'])).toContain('delivered')
  })
})

describe('the Fetch handler in a fresh Next.js app', () => {
  // A route whose handler answers itself: its Response must reach the sender as it is.
  const ECHO_ROUTE = [
    "import { basic, tenants, webhook } from '@webhook-trigger/fetch'",
    '',
    'export const POST = webhook({',
    "  auth: basic(tenants({ tenant123: 'api_token_abc123' })),",
    "  handler: (hook) => Response.json({ seen: hook.event }, { status: 200, headers: { 'x-handled-by': 'echo' } }),",
    '})',
    '',
  ].join('\n')

  it('the fetch README route as app/webhook/route.ts: next build type-checks it, next start answers, and a handler\'s Response passes through', async () => {
    const dir = apps['next-app-router']!
    const env = { NEXT_TELEMETRY_DISABLED: '1' }
    for (const [route, code] of [['webhook', snippet.nextRoute()], ['echo', ECHO_ROUTE]] as const) {
      await mkdir(join(dir, 'app', route), { recursive: true })
      await writeFile(join(dir, 'app', route, 'route.ts'), code)
    }
    expect(await run(dir, 'npx', ['--no-install', 'next', 'build'], env)).toMatch(/ƒ \/webhook/)
    const port = await freePort()
    const server = await serve('next-app-router', [join(dir, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-H', '127.0.0.1', '-p', String(port)], port, undefined, env)
    await expectReferenceAnswers(port)
    await vi.waitFor(() => expect(server.output()).toContain('tenant123 customer_update'))
    const echo = await curl(['-s', '-i', '-X', 'POST', `http://127.0.0.1:${port}/echo`, '-u', 'tenant123:api_token_abc123', '-H', 'Content-Type: application/json', '-d', ENVELOPE])
    expect(echo).toMatch(/^HTTP\/1\.1 200 /)
    expect(echo).toMatch(/^x-handled-by: echo\r$/im)
    expect(echo.endsWith('{"seen":"customer_update"}')).toBe(true)
    expect(server.output()).not.toContain('api_token_abc123')
  })
})

describe('the webhook-trigger command, installed into a fresh app', () => {
  it('npx webhook-trigger --help exits 0 and lists the four commands', async () => {
    const help = await run(apps.cli!, 'npx', ['--no-install', 'webhook-trigger', '--help'])
    for (const command of ['relay', 'intermediary', 'send', 'listen']) expect(help).toMatch(new RegExp(`^  ${command} \\[options\\]`, 'm'))
  })

  it('webhook-trigger listen answers the reference curl commands, and send delivers to it', async () => {
    const dir = apps.cli!
    await writeFile(join(dir, 'token.txt'), 'api_token_abc123\n')
    const port = await freePort()
    const bin = join(dir, 'node_modules', '.bin', 'webhook-trigger')
    const listener = await serve('cli', [bin, 'listen', '--host', '127.0.0.1', '--port', String(port), '--tenant', 'tenant123', '--token-file', 'token.txt'], port)
    const commands = curls(`http://127.0.0.1:${port}/webhook`)
    expect(await curl(commands.basic)).toBe('202')
    expect(await curl(commands.wrong)).toBe('401')
    const sent = await run(dir, 'npx', ['--no-install', 'webhook-trigger', 'send', '--url', `http://127.0.0.1:${port}/webhook`, '--tenant', 'tenant123', '--token-file', 'token.txt', '--event', 'customer_update', '--data', '{"id":"cli-1"}'])
    expect(sent).toMatch(/^delivered 202 /)
    await vi.waitFor(() => expect(listener.output()).toContain('data={"id":"cli-1"}'))
    expect(listener.output()).toContain('refused 401 auth.invalid')
    expect(listener.output() + sent).not.toContain('api_token_abc123')
  })
})
