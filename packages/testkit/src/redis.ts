import { connect } from 'node:net'
import { connect as connectTls } from 'node:tls'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Whether something answers PING at `url` within a second. */
export function redisAnswers(url = REDIS_URL): Promise<boolean> {
  const { protocol, hostname, port } = new URL(url)
  const options = { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) }
  return new Promise((resolve) => {
    const socket = protocol === 'rediss:' ? connectTls({ ...options, rejectUnauthorized: false }) : connect(options)
    const done = (answer: boolean) => {
      socket.destroy()
      resolve(answer)
    }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on(protocol === 'rediss:' ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'))
    // "+PONG", or "-NOAUTH": Redis either way.
    socket.on('data', (data: Buffer) => done(data[0] === 0x2b || data[0] === 0x2d))
  })
}

/**
 * Whether tests needing Redis can run. Outside CI a missing Redis skips them
 * with a visible message; with CI=true it is a failure, since CI starts one.
 */
export async function redisForTests(what: string): Promise<boolean> {
  if (await redisAnswers()) return true
  if (process.env.CI === 'true') throw new Error(`Redis does not answer at REDIS_URL=${REDIS_URL}, and CI=true needs it for ${what} (.ci/run starts redis-server)`)
  console.warn(`Skipping ${what}: nothing answers at REDIS_URL=${REDIS_URL}. Start redis-server, or point REDIS_URL at one.`)
  return false
}
