import { memoryOutbox } from '@webhook-trigger/express'
import { serveIntermediary } from './intermediary.js'

// Ours: the queued intermediary with the memory outbox.
serveIntermediary(memoryOutbox())
