export { redisOutbox } from './redis-outbox.js'
export type { RedisOutboxOptions } from './redis-outbox-options.js'
export { redisDeliveryLog, type RedisDeliveryLogOptions } from './redis-delivery-log.js'
