import { type Claim, type DeliveryLog, type Logger, checkLogger, checkOptions, createLog, errorFields, optionKeys } from '@webhook-trigger/core'
import { Redis, type RedisOptions } from 'ioredis'
import { reconnectDelay } from './redis-outbox-options.js'
import { settledWithin, within } from './within.js'

export interface RedisDeliveryLogOptions {
  /**
   * The Redis to use: a `redis://` or `rediss://` URL, or ioredis options
   * (`{ host, port, password, tls, ... }`, or `{ url, ...options }` as
   * redisOutbox() takes them). Every process that receives these webhooks
   * points at the same one.
   * @default 'redis://127.0.0.1:6379'
   */
  connection?: string | (RedisOptions & { url?: string })
  /**
   * Prefix of every key of the log: a delivery is the hash `<prefix>:<key>`.
   * @default 'webhook-trigger:delivery'
   */
  prefix?: string
  /**
   * Longest wait, in ms, for Redis to answer one call. A claim that gets no
   * answer by then rejects, and `webhook()` answers `503` (`log.unavailable`,
   * `Retry-After`) without running the handler: it fails closed rather than
   * risk handling a delivery twice. `close()` waits this long, then drops the
   * connection.
   * @default 3000
   */
  commitTimeout?: number
  /**
   * Called with errors of the connection that no call is waiting for (a
   * connection lost, a failed reconnect).
   * @default a warning through `logger`: `redis connection error`, with `error` and `errorCode`
   */
  onError?: (error: Error) => void
  /**
   * Where to log: a pino or bunyan logger.
   * @default warnings and errors to stderr, each kind at most once a minute
   */
  logger?: Logger
}

const WHERE = 'redisDeliveryLog()'
const KEYS = optionKeys<RedisDeliveryLogOptions>()('connection', 'prefix', 'commitTimeout', 'onError', 'logger')

/**
 * Redis deletes a key by its own clock, while the log decides expiry by the
 * callers' `now`: a key is kept this much past its own expiry, so a caller
 * whose clock runs behind Redis' (or another caller's) never finds it gone early.
 */
const GC_SLACK_MS = 60_000

// The stored `expires` is compared with the caller's `now`, never with Redis'
// clock, so the log honours whatever clock it is given. A Lua script runs
// whole, with no other command in between: read-compare-write is one step.
const CLAIM = `
local known = redis.call('HMGET', KEYS[1], 'state', 'hash', 'expires')
if known[1] and tonumber(known[3]) > tonumber(ARGV[2]) then return { known[1], known[2] } end
redis.call('HSET', KEYS[1], 'state', 'pending', 'hash', ARGV[1], 'expires', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { 'new' }`

const COMPLETE = `
redis.call('HSET', KEYS[1], 'state', 'done', 'hash', ARGV[1], 'expires', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`

/** The scripts, as ioredis adds them to the client (defineCommand: EVALSHA, loading the script when Redis lacks it). */
interface Scripts {
  deliveryClaim(key: string, hash: string, now: number, expires: number, keepMs: number): Promise<['new'] | ['pending' | 'done', string]>
  deliveryComplete(key: string, hash: string, expires: number, keepMs: number): Promise<number>
}

function connect(connection: RedisDeliveryLogOptions['connection'], commitTimeout: number): Redis {
  // Without an offline queue a call fails at once while the connection is down, instead of waiting
  // for it; the command timeout bounds a call on a connection that is up but gets no answer (a hung Redis).
  const bounded = { enableOfflineQueue: false, commandTimeout: commitTimeout, retryStrategy: reconnectDelay }
  if (connection === undefined) return new Redis('redis://127.0.0.1:6379', bounded)
  if (typeof connection === 'object' && connection !== null) {
    const { url, ...rest } = connection
    return url === undefined ? new Redis({ ...bounded, ...rest }) : new Redis(url, { ...bounded, ...rest })
  }
  const protocol = URL.canParse(String(connection)) ? new URL(String(connection)).protocol : undefined
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new TypeError(`${WHERE}: "connection" must be a redis:// URL or ioredis options, e.g. connection: 'redis://127.0.0.1:6379'`)
  }
  return new Redis(connection, bounded)
}

/**
 * A delivery log in Redis, for replay protection and de-duplication shared by
 * every process that receives the webhooks. Each delivery is one hash with a
 * Redis expiry; `claim` and `complete` are Lua scripts, so of two processes
 * claiming the same new key at once exactly one hears `new`. `close()` closes
 * the one connection it opens.
 *
 * @example
 * import { redisDeliveryLog } from '@webhook-trigger/redis'
 *
 * webhook({ auth: standardWebhooks({ secret }), replay: redisDeliveryLog({ connection: process.env.REDIS_URL }) })
 */
export function redisDeliveryLog(options: RedisDeliveryLogOptions = {}): DeliveryLog & { close(): Promise<void> } {
  checkOptions(WHERE, options, KEYS)
  const { prefix = 'webhook-trigger:delivery', commitTimeout = 3000 } = options
  // Node runs a timer of more than 2^31 - 1 ms after 1 ms.
  if (!Number.isInteger(commitTimeout) || commitTimeout <= 0 || commitTimeout > 2 ** 31 - 1) {
    throw new TypeError(`${WHERE}: "commitTimeout" must be a whole number of ms above 0, e.g. commitTimeout: 3000`)
  }
  if (typeof prefix !== 'string' || prefix === '') {
    throw new TypeError(`${WHERE}: "prefix" must be a non-empty string, e.g. prefix: 'webhook-trigger:delivery'`)
  }
  const log = createLog(checkLogger(options.logger, WHERE), 'redisDeliveryLog')
  const onError = options.onError ?? ((error: Error) => log.warn(errorFields(error), 'redis connection error'))
  if (typeof onError !== 'function') throw new TypeError(`${WHERE}: "onError" must be a function, e.g. onError: (error) => log.warn(error)`)
  const redis = connect(options.connection, commitTimeout)
  redis.on('error', onError)
  redis.defineCommand('deliveryClaim', { numberOfKeys: 1, lua: CLAIM })
  redis.defineCommand('deliveryComplete', { numberOfKeys: 1, lua: COMPLETE })
  const scripts = redis as Redis & Scripts
  const keepFor = (ttlMs: number): number => Math.max(0, Math.ceil(ttlMs)) + GC_SLACK_MS

  // Calls wait for the first connection (without an offline queue they would fail before it is up);
  // once it was up, a lost connection fails them at once.
  const connected = new Promise<void>((resolve) => redis.once('ready', resolve))
  const bounded = <R>(what: string, command: () => Promise<R>): Promise<R> =>
    within(
      connected.then(command),
      commitTimeout,
      `${WHERE} ${what}`,
    )

  return {
    async claim(key, hash, pendingMs, now): Promise<Claim> {
      const [state, known] = await bounded('claim', () => scripts.deliveryClaim(`${prefix}:${key}`, hash, now, now + pendingMs, keepFor(pendingMs)))
      return state === 'new' ? { state } : { state, hash: known }
    },
    async complete(key, hash, windowMs, now) {
      await bounded('complete', () => scripts.deliveryComplete(`${prefix}:${key}`, hash, now + windowMs, keepFor(windowMs)))
    },
    async release(key) {
      await bounded('release', () => redis.del(`${prefix}:${key}`))
    },
    async close() {
      // QUIT waits for the replies still due; a connection not (or no longer) up has none to wait for,
      // and one that does not answer QUIT in time is dropped.
      if (redis.status === 'ready') await settledWithin(redis.quit(), commitTimeout)
      redis.disconnect()
    },
  }
}
