export { sqliteOutbox } from './sqlite-outbox.js'
export type { SqliteOutboxOptions, Synchronous } from './sqlite-outbox-options.js'
export { sqliteDeliveryLog, type SqliteDeliveryLogOptions } from './sqlite-delivery-log.js'
