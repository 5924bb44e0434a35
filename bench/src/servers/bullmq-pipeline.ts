import { timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { type Job, Queue, Worker } from 'bullmq'
import express from 'express'
import { Pool } from 'undici'
import { basicHeader } from '../fixture.js'
import { upstreamUrl } from './accepted.js'
import { serve } from './serve.js'

// Peer: the pipeline a team writes by hand instead of ours. Express +
// express.json(), a Basic check, BullMQ queue.add() before the 202 (the add is
// acknowledged by Redis: the event is stored), and a BullMQ Worker in the same
// process forwarding each job with undici, as many at once as our deliverer
// sends (8). The idempotency key is the job id (a redelivery is not queued
// twice); completed jobs are trimmed, as BullMQ's docs advise.

const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', maxRetriesPerRequest: null }
const prefix = `bench-drain-${process.pid}`
const queue = new Queue('events', { connection, prefix })
const expected = Buffer.from(basicHeader())
const target = new URL(upstreamUrl())
const pool = new Pool(target.origin)
const upstreamHeaders = { 'content-type': 'application/json', authorization: basicHeader() }

interface EventJob {
  key: string
  payload: unknown
}

const worker = new Worker<EventJob>(
  'events',
  async (job: Job<EventJob>) => {
    const { statusCode, body } = await pool.request({
      path: target.pathname,
      method: 'POST',
      headers: { ...upstreamHeaders, 'idempotency-key': job.data.key },
      body: JSON.stringify(job.data.payload),
    })
    await body.dump()
    if (statusCode < 200 || statusCode >= 300) throw new Error(`upstream answered ${statusCode}`)
  },
  { connection, prefix, concurrency: 8 },
)

function authorized(header: string | undefined): boolean {
  const given = Buffer.from(header ?? '')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

const app = express()
app.post('/webhook', express.json(), (req, res, next) => {
  if (!authorized(req.headers.authorization)) {
    res.status(401).set('www-authenticate', 'Basic').end()
    return
  }
  const key = String(req.headers['idempotency-key'])
  queue
    .add('event', { key, payload: req.body }, { jobId: key, attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 5000 })
    .then(() => res.status(202).json({ accepted: true }), next)
})

serve(createServer(app), {
  close: async () => {
    await worker.close()
    await queue.close()
    await pool.close()
  },
})
