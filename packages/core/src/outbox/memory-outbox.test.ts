import { describeOutboxContract } from '@webhook-trigger/testkit'
import { memoryOutbox } from './memory-outbox.js'

describeOutboxContract('memoryOutbox()', memoryOutbox)
