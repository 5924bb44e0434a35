export { oneConnection, send, sendRaw, type Reply, type SendOptions } from './http-client.js'
export * from './fixtures.js'
export {
  describeBehindParser,
  describeConformance,
  describeStatusTable,
  seen,
  type Target,
  type HarnessOptions,
  type Mount,
  type Parser,
  type Running,
  type Start,
} from './conformance.js'
export { SCENARIOS, scenario, scenarioOptions } from './scenarios.js'
export { remoteHost, type RemoteHost } from './remote-host.js'
export * from './signature-schemes.js'
export { listen } from './listen.js'
export { runExample, type RunningExample } from './run-example.js'
export { startCore } from './core-harness.js'
export { startUpstream, type Received, type Step, type Upstream } from './upstream.js'
export { describeForwarding, type RelayHarnessOptions, type RunningRelay, type StartRelay } from './forwarding.js'
export { describeOutboxContract, type OutboxContractOptions } from './outbox-contract.js'
export * from './signatures.js'
export { describeAdmin, type StartAdmin } from './admin.js'
export { REDIS_URL, redisAnswers, redisForTests } from './redis.js'
export { describeDeliveryLogContract, type ContractDeliveryLog } from './delivery-log-contract.js'
export { acceptedEvents, acceptedLines, describeReceiverExample } from './receiver-example.js'
export { startNodeWorker } from './node-worker.js'
export { ARTIFACTS, CHROMIUM_ARGS, CHROMIUM_PATH, artifact, chromiumForTests, launchChromium } from './chromium.js'
export { describeHealth } from './health.js'
export { captureLog, type CapturedLog } from './log-capture.js'
export { describeLogCanary, type CanaryRoute, type StartCanaryApp } from './log-canary.js'
export { redisServerForTests, startRedisServer, type RedisServer } from './redis-server.js'
export { startGatedUpstream, startSenders, type GatedUpstream, type Senders, type SendersOptions, type SentAnswer } from './outage-senders.js'
export { describeSlowClients } from './slow-clients.js'
export { runToExit, type ExitedExample } from './run-example.js'
export { describePortInUse } from './port-in-use.js'
