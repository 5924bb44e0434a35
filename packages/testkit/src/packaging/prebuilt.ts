import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, join } from 'node:path'
import { run } from './fresh-app.js'

/**
 * Puts the better-sqlite3 binary that `npm ci` built in this workspace into
 * prebuild-install's download cache, under the name its release download
 * has. A user's `npm install` downloads that prebuilt binary; this machine
 * cannot reach the download host, so without the cache every fresh app
 * would compile the addon again (minutes on two cores). When the fresh app
 * resolves another version, the cache does not match and it compiles as before.
 */
export async function cachePrebuiltSqlite(repo: string): Promise<string | undefined> {
  const dir = join(repo, 'node_modules', 'better-sqlite3')
  const binary = join(dir, 'build', 'Release', 'better_sqlite3.node')
  if (!existsSync(binary)) return undefined
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }
  const url = `https://github.com/WiseLibs/better-sqlite3/releases/download/v${version}/better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
  // prebuild-install's cachedPrebuild(): six hex digits of the URL's SHA-512, then the file name.
  const cache = join(process.env.npm_config_cache ?? join(homedir(), '.npm'), '_prebuilds')
  const file = join(cache, `${createHash('sha512').update(url).digest('hex').slice(0, 6)}-${basename(url).replace(/[^a-zA-Z0-9.]+/g, '-')}`)
  await mkdir(cache, { recursive: true })
  await run(dir, 'tar', ['czf', file, 'build/Release/better_sqlite3.node'])
  return version
}
