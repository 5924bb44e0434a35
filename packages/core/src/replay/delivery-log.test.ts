import { describeDeliveryLogContract } from '@webhook-trigger/testkit'
import { memoryDeliveryLog } from './delivery-log.js'

describeDeliveryLogContract('memoryDeliveryLog()', memoryDeliveryLog)
