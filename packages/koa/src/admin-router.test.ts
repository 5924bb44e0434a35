import { createServer } from 'node:http'
import { type StartAdmin, describeAdmin, describeHealth, listen, sendRaw } from '@webhook-trigger/testkit'
import koa2 from 'koa2'
import koa3 from 'koa3'
import { describe, expect, it } from 'vitest'
import { adminRouter, bearer, memoryOutbox } from './index.js'

for (const [name, Koa] of [
  ['koa 2', koa2],
  ['koa 3', koa3],
] as const) {
  const start: StartAdmin = async (options) => {
    const app = new Koa()
    app.use(adminRouter({ ...options, prefix: '/admin' }))
    const handle = app.callback()
    return listen(createServer((req, res) => void handle(req, res)))
  }
  describeAdmin(name, start)
  describeHealth(name, start)
}

describe('koa adminRouter() prefix', () => {
  const auth = bearer({ token: 'admin-token' })
  const serve = async (prefix?: string) => {
    const app = new koa3()
    app.use(adminRouter({ outbox: memoryOutbox(), auth, ...(prefix !== undefined && { prefix }) }))
    app.use((ctx) => void (ctx.body = `fell through ${ctx.path}`))
    const handle = app.callback()
    return listen(createServer((req, res) => void handle(req, res)))
  }
  const get = (url: string) => fetch(url, { headers: { authorization: 'Bearer admin-token' } })

  it('answers below its prefix only, and hands every other path to the next middleware', async () => {
    const server = await serve('/admin/')
    try {
      expect((await get(`${server.url}/admin/summary?minutes=5`)).status).toBe(200)
      expect(await (await get(`${server.url}/administrator/summary`)).text()).toBe('fell through /administrator/summary')
      expect(await (await get(`${server.url}/summary`)).text()).toBe('fell through /summary')
    } finally {
      await server.close()
    }
  })

  it('hands a request target that is no URL path to the next middleware, and matches a prefix with non-ASCII characters', async () => {
    const server = await serve('/admin')
    const other = await serve('/\u00e4dmin')
    try {
      expect(await sendRaw(server.url, 'GET //[ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 [^]*fell through \/\/\[/)
      expect((await get(`${other.url}/%C3%A4dmin/summary`)).status).toBe(200)
    } finally {
      await server.close()
      await other.close()
    }
  })

  it('throws at creation for a prefix that is not a path', () => {
    expect(() => adminRouter({ outbox: memoryOutbox(), auth, prefix: 'admin' })).toThrow('adminRouter(): "prefix" must be a path starting with "/"')
  })
})
