import { fileURLToPath } from 'node:url'
import { describeReceiverExample } from '@webhook-trigger/testkit'

describeReceiverExample('hono receiver example', fileURLToPath(new URL('..', import.meta.url)))
