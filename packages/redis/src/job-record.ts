import type { OutboxMessage } from '@webhook-trigger/core'
import type { Job } from 'bullmq'

/** The name of every job; the event's own id is the job id. */
export const JOB_NAME = 'webhook'

/** A job's data: what the deliverer needs to send it. */
export interface JobData {
  target: string
  headers: Record<string, string>
  /** base64, so the bytes survive JSON exactly, invalid UTF-8 included. */
  body: string
  /** Unique per enqueue call: tells the job it stored from one already there (BullMQ answers both alike). */
  nonce: string
  event?: string
  tenant?: string
}

/**
 * The outbox's bookkeeping, kept as JSON in the job's `failedReason`: the one
 * field BullMQ writes in the same Lua script that checks the lock and moves the
 * job, so a settlement and its record land together or not at all.
 */
export interface JobRecord {
  error?: string
  status?: number
  nextAttemptAt?: number
  /** Leases given back unattempted: BullMQ counts every start (`attemptsStarted`), the outbox does not count these. */
  released?: number
}

export function readRecord(failedReason: string | null | undefined): JobRecord {
  if (!failedReason?.startsWith('{')) return failedReason ? { error: failedReason } : {}
  try {
    return JSON.parse(failedReason) as JobRecord
  } catch {
    return { error: failedReason }
  }
}

/**
 * BullMQ refuses job ids that read as integers or hold ':' (key separators); the
 * URI encoding of an id never holds ':', and an integer-looking one gets its first
 * character encoded too, so the mapping stays reversible and collision-free.
 */
export function toJobId(id: string): string {
  const encoded = encodeURIComponent(id)
  if (`${parseInt(encoded, 10)}` !== encoded) return encoded
  return `%${encoded.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}${encoded.slice(1)}`
}

export const fromJobId = (jobId: string): string => decodeURIComponent(jobId)

/**
 * A lease token is BullMQ's lock value (a UUID, no dot), a dot, and the releases
 * the job carried when leased, so a settlement can write the record back in its
 * one atomic call without reading the job first.
 */
export const leaseToken = (lock: string, released: number): string => `${lock}.${released}`

export function lockOf(token: string): string {
  const dot = token.lastIndexOf('.')
  return dot === -1 ? token : token.slice(0, dot)
}

export function releasedOf(token: string): number {
  const dot = token.lastIndexOf('.')
  const released = dot === -1 ? 0 : Number(token.slice(dot + 1))
  return Number.isInteger(released) && released > 0 ? released : 0
}

export function toMessage(job: Job<JobData>): OutboxMessage {
  const record = readRecord(job.failedReason)
  const message: OutboxMessage = {
    id: fromJobId(job.id ?? ''),
    target: job.data.target,
    headers: job.data.headers,
    body: Buffer.from(job.data.body, 'base64'),
    attempts: job.attemptsStarted - (record.released ?? 0),
    createdAt: job.timestamp,
    nextAttemptAt: record.nextAttemptAt ?? job.timestamp,
  }
  if (record.error !== undefined) message.lastError = record.error
  if (record.status !== undefined) message.lastStatus = record.status
  if (job.data.event !== undefined) message.event = job.data.event
  if (job.data.tenant !== undefined) message.tenant = job.data.tenant
  return message
}
