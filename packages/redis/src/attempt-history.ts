import type { Attempt } from '@webhook-trigger/core'
import type { RedisClient } from 'bullmq'

/** The job hash field holding the attempts, as a JSON array: deleted with the job, whoever deletes it. */
export const HISTORY_FIELD = 'wtAttempts'

/** Most attempts kept per event; older ones are dropped first. */
export const MAX_HISTORY = 100

// Appends only to a job that still exists: a job removed meanwhile (delivered and trimmed) is not recreated as a stray hash.
const APPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local list = stored and cjson.decode(stored) or {}
table.insert(list, cjson.decode(ARGV[2]))
while #list > tonumber(ARGV[3]) do table.remove(list, 1) end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(list))
return 1
`

const SINCE = `return redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')`

const defined = new WeakSet<RedisClient>()

/** The outbox's own scripts on a client of BullMQ's, defined once per client. */
function scripts(client: RedisClient): RedisClient {
  if (!defined.has(client)) {
    client.defineCommand('wtAppendAttempt', { numberOfKeys: 1, lua: APPEND })
    client.defineCommand('wtScoredSince', { numberOfKeys: 1, lua: SINCE, readOnly: true })
    defined.add(client)
  }
  return client
}

/** Adds one attempt to a job's history in one atomic step. */
export async function appendAttempt(client: RedisClient, jobKey: string, attempt: Attempt): Promise<void> {
  await scripts(client).runCommand('wtAppendAttempt', [jobKey, HISTORY_FIELD, JSON.stringify(attempt), MAX_HISTORY])
}

/** Members of a sorted set scored `since` or later (BullMQ scores finished jobs by when they finished). */
export async function scoredSince(client: RedisClient, key: string, since: number): Promise<string[]> {
  return (await scripts(client).runCommand('wtScoredSince', [key, since])) as string[]
}

/** The attempts stored in a job hash field; anything unreadable reads as none. */
export function readHistory(stored: string | null | undefined): Attempt[] {
  if (stored === null || stored === undefined) return []
  try {
    const list: unknown = JSON.parse(stored)
    // cjson writes an empty Lua table as an object.
    return Array.isArray(list) ? (list as Attempt[]) : []
  } catch {
    return []
  }
}
