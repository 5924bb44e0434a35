import { fileURLToPath } from 'node:url'
import { describeReceiverExample } from '@webhook-trigger/testkit'

describeReceiverExample('fastify receiver example', fileURLToPath(new URL('..', import.meta.url)))
