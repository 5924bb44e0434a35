import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import { basic, bearer, memoryOutbox, type Outbox, tenants } from '@webhook-trigger/core'
import { TENANT, TOKEN, artifact, basicAuth, chromiumForTests, launchChromium, listen, send } from '@webhook-trigger/testkit'
import express from 'express5'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { adminRouter, forward, webhook } from './index.js'

const ADMIN_TOKEN = 'admin_token_for_the_console'
const runs = chromiumForTests('the delivery console browser tests')

/** An upstream that fails with 503 until fixed; while `held`, it keeps each request waiting for `release()`. */
function brokenUpstream() {
  let ok = false
  let held: Array<() => void> | undefined
  const requests: string[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => {
      requests.push(String(req.headers['idempotency-key']))
      const answer = () => (ok ? res.writeHead(200).end('{"thanks":true}') : res.writeHead(503).end('down for maintenance'))
      if (held === undefined) answer()
      else held.push(answer)
    })
  })
  return {
    server,
    requests,
    hold: () => void (held = []),
    release: () => {
      const waiting = held ?? []
      held = undefined
      for (const answer of waiting) answer()
    },
    fix: () => void (ok = true),
  }
}

/** The app of way 4 with the admin router and console at /admin, delivering with a two-attempt schedule. */
async function intermediary(to: string, outbox: Outbox) {
  const app = express()
  const relay = forward({ to, auth: basic({ tenant: 'upstream', token: 'upstream_token' }), outbox, delivery: { retry: { delays: [300] }, pollInterval: 50 } })
  app.use('/admin', adminRouter({ outbox, auth: bearer({ token: ADMIN_TOKEN }) }))
  app.post('/webhook', webhook({ auth: basic(tenants({ [TENANT]: TOKEN })) }), relay)
  const server = await listen(createServer(app))
  return { url: server.url, close: () => relay.close().then(() => server.close()) }
}

const row = (page: Page, id: string) => page.locator(`#rows tr[data-id="${id}"]`)

describe.skipIf(!runs)('the delivery console in headless Chromium', () => {
  let browser: Browser
  const cleanup: Array<() => Promise<unknown>> = []
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(() => browser?.close())
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close()
  })

  it('shows an event retrying, then dead with its last error, and delivered once redelivered after the upstream is fixed', async () => {
    const upstream = brokenUpstream()
    const up = await listen(upstream.server)
    cleanup.push(up.close)
    const app = await intermediary(`${up.url}/webhook`, memoryOutbox())
    cleanup.push(app.close)
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
    cleanup.push(() => context.close())
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())))
    page.on('pageerror', (error) => void problems.push(error.message))
    const elsewhere: string[] = []
    page.on('request', (request) => void (request.url().startsWith(app.url) || elsewhere.push(request.url())))

    // The first attempt fails; the retry is held upstream, so the event stays pending with its last error.
    upstream.hold()
    const id = 'evt_console_1'
    const accepted = await send(app.url, { headers: { 'content-type': 'application/json', authorization: basicAuth(TENANT, TOKEN), 'webhook-id': id }, body: '{"event":"order.created","data":{"n":1}}' })
    expect(accepted.status).toBe(202)
    await expect.poll(() => upstream.requests.length).toBe(1)
    upstream.release()
    upstream.hold()

    await page.goto(`${app.url}/admin/`)
    await page.fill('#secret', ADMIN_TOKEN)
    await page.click('#signin button[type=submit]')
    await row(page, id).locator('.badge.retrying').waitFor()
    await expect.poll(() => row(page, id).locator('.status').textContent()).toContain('upstream answer 503')
    expect(await row(page, id).locator('td').nth(1).textContent()).toBe('order.created')
    expect(await row(page, id).locator('td').nth(2).textContent()).toBe(TENANT)

    // The second and last attempt fails too: dead.
    await expect.poll(() => upstream.requests.length).toBe(2)
    upstream.release()
    await page.click('.tab[data-state="dead"]')
    await row(page, id).locator('.badge.dead').waitFor()
    expect(await row(page, id).locator('.status').textContent()).toContain('upstream answer 503')
    await expect.poll(() => page.locator('.tab[data-state="dead"] .count').textContent()).toBe('1')

    // Fixed upstream; redeliver, confirming the dialog.
    upstream.fix()
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.accept()
    })
    await row(page, id).locator('button[data-action="redeliver"]').click()
    expect(dialogs).toEqual([`Redeliver event ${id} now?`])
    await page.click('.tab[data-state="delivered"]')
    await row(page, id).locator('.badge.delivered').waitFor()
    expect(upstream.requests).toEqual([id, id, id])

    await row(page, id).click()
    const steps = page.locator('#detail ol.timeline li')
    await expect.poll(() => steps.count()).toBe(3)
    expect(await steps.locator('strong').allTextContents()).toEqual(['#1 HTTP 503', '#2 HTTP 503', '#3 HTTP 200'])
    // The chart's bars (their titles say how many): one received, one delivered, two failed attempts.
    const total = async (series: string) =>
      (await page.locator(`#chart g[data-series="${series}"] title`).allTextContents()).reduce((sum, title) => sum + Number(/: (\d+) /.exec(title)?.[1]), 0)
    const totals = async () => [await total('received'), await total('delivered'), await total('failed')]
    await expect.poll(totals).toEqual([1, 1, 2])

    const screenshot = artifact('console.png')
    await page.screenshot({ path: screenshot, fullPage: true })
    console.log(`console screenshot: ${screenshot}`)
    expect(problems, 'no script error and no CSP violation').toEqual([])
    expect(elsewhere, 'nothing fetched from anywhere else').toEqual([])
  })

  it('redelivers all dead events and purges dead events only once the confirm dialog is accepted', async () => {
    const outbox = memoryOutbox()
    // Queued as if long ago, so they are leased (and buried) ahead of anything pending.
    const bury = async (ids: string[]) => {
      for (const id of ids) await outbox.enqueue({ id, target: 'http://127.0.0.1:1/', headers: {}, body: Buffer.from('{}') }, Date.now() - 3_600_000)
      for (const lease of await outbox.lease(ids.length, Date.now(), 30_000)) await outbox.bury(lease, 'upstream answer 410', 410)
    }
    await bury(['evt_a', 'evt_b'])
    // No deliverer: redelivered events stay pending where the test can see them.
    const app = express()
    app.use('/admin', adminRouter({ outbox, auth: bearer({ token: ADMIN_TOKEN }) }))
    const server = await listen(createServer(app))
    cleanup.push(server.close)
    const context = await browser.newContext()
    cleanup.push(() => context.close())
    const page = await context.newPage()
    let answer = false
    const asked: string[] = []
    page.on('dialog', (dialog) => {
      asked.push(dialog.message())
      void (answer ? dialog.accept() : dialog.dismiss())
    })
    await page.goto(`${server.url}/admin/`)
    await page.fill('#secret', ADMIN_TOKEN)
    await page.click('#signin button[type=submit]')
    await page.click('.tab[data-state="dead"]')
    await row(page, 'evt_b').waitFor()

    await page.click('#redeliver-all')
    await page.click('#purge-dead')
    expect(asked).toEqual(['Redeliver every dead event now?', 'Delete every dead event for good? This cannot be undone.'])
    expect(await outbox.counts()).toEqual({ pending: 0, dead: 2, delivered: 0 })

    answer = true
    await page.click('#redeliver-all')
    await expect.poll(() => page.locator('#notice').textContent()).toBe('2 dead events are queued again.')
    expect(await outbox.counts()).toEqual({ pending: 2, dead: 0, delivered: 0 })
    // The notice is shown before the tab counts are read again: wait for them too.
    await expect.poll(() => page.locator('.tab[data-state="pending"] .count').textContent()).toBe('2')

    await bury(['evt_c'])
    await row(page, 'evt_c').waitFor()
    await page.click('#purge-dead')
    await expect.poll(() => page.locator('#notice').textContent()).toBe('1 dead events deleted.')
    expect(await outbox.counts()).toEqual({ pending: 2, dead: 0, delivered: 0 })
  })

  it('does not act on a form posted from a page on another origin, even with the admin Basic login cached', async () => {
    const outbox = memoryOutbox()
    await outbox.enqueue({ id: 'evt_dead', target: 'http://127.0.0.1:1/', headers: {}, body: Buffer.from('{}') }, Date.now())
    const [lease] = await outbox.lease(1, Date.now(), 30_000)
    await outbox.bury(lease!, 'upstream answer 410', 410)
    const app = express()
    app.use('/admin', adminRouter({ outbox, auth: basic(tenants({ admin: ADMIN_TOKEN })) }))
    const admin = await listen(createServer(app))
    cleanup.push(admin.close)
    const evil = await listen(
      createServer((req, res) => {
        const type = new URL(req.url!, 'http://x').searchParams.get('type')!
        res.writeHead(200, { 'content-type': 'text/html' }).end(
          `<form method="POST" action="${admin.url}/admin/events/redeliver" enctype="${type}"><input name="all" value="yes"></form>` +
            '<script>document.forms[0].submit()</script>',
        )
      }),
    )
    cleanup.push(evil.close)
    // As if the admin had signed in with Basic before: the browser attaches the login to every request unasked.
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: basicAuth('admin', ADMIN_TOKEN) } })
    cleanup.push(() => context.close())
    const page = await context.newPage()
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']) {
      const answer = page.waitForResponse((response) => response.url() === `${admin.url}/admin/events/redeliver`)
      await page.goto(`${evil.url}/?type=${encodeURIComponent(type)}`)
      const response = await answer
      expect(response.request().headers().authorization, 'the browser did send the cached login').toMatch(/^Basic /)
      expect(response.status(), type).toBe(403)
      expect(await response.json()).toMatchObject({ code: 'admin.cross_site' })
    }
    expect(await outbox.counts()).toEqual({ pending: 0, dead: 1, delivered: 0 })
  })
})
