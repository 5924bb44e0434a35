import { redisOutbox } from '@webhook-trigger/redis'
import { serveIntermediary } from './intermediary.js'

// Ours: the queued intermediary with the Redis outbox (BullMQ underneath), on
// the Redis the runner names, under a key prefix of its own for this process.
const outbox = redisOutbox({ connection: process.env.REDIS_URL, prefix: `bench-drain-${process.pid}` })
serveIntermediary(outbox, () => outbox.close())
