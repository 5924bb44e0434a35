import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteOutbox } from '@webhook-trigger/outbox-sqlite'
import { serveIntermediary } from './intermediary.js'

// Ours: the queued intermediary with the durable SQLite outbox, as a
// deployment would run it (a file on disk, WAL, synchronous NORMAL: a 202
// survives the process dying). A fresh file per run, removed at the end.
const folder = mkdtempSync(join(tmpdir(), 'webhook-trigger-bench-'))
const outbox = sqliteOutbox({ path: join(folder, 'outbox.sqlite') })
serveIntermediary(outbox, async () => {
  await outbox.close()
  rmSync(folder, { recursive: true, force: true })
})
