import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { ResolvedOptions } from './sqlite-outbox-options.js'

/**
 * Whether this connection may write: SQLite opens a file it may not write
 * read-only without a word, and only a write says so.
 */
function writable(db: Database.Database): boolean {
  try {
    // Writing the header field back unchanged: a write that changes nothing (taking the write lock does not check).
    db.pragma(`user_version = ${Number(db.pragma('user_version', { simple: true }))}`)
    return true
  } catch (error) {
    if (String((error as { code?: unknown }).code).startsWith('SQLITE_READONLY')) return false
    throw error
  }
}

/**
 * Opens the file in WAL mode with the busy timeout, creating its folder. A
 * file this process cannot write is refused now, rather than every event
 * failing later.
 */
export function openDatabase({ path, synchronous, busyTimeout }: ResolvedOptions, where: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, { timeout: busyTimeout })
  try {
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${synchronous}`)
    if (!writable(db)) throw new TypeError(`${where}: "path" names a file this process cannot write (${path}); check its owner and mode`)
  } catch (error) {
    db.close()
    throw error
  }
  return db
}
