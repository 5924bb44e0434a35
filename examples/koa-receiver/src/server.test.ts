import { fileURLToPath } from 'node:url'
import { describePortInUse, describeReceiverExample } from '@webhook-trigger/testkit'

const dir = fileURLToPath(new URL('..', import.meta.url))

describeReceiverExample('koa receiver example', dir)

describePortInUse('koa-receiver', dir)
