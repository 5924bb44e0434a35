import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startUpstream, type Upstream } from '@webhook-trigger/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, transcript } from './test/cli-process.js'

const TOKEN = 'tok_config_SECRET_e3a1'
const COMMANDS = ['relay', 'intermediary', 'send', 'listen'] as const

describe.concurrent('--help', () => {
  it('lists the four commands, with examples', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    for (const command of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${command} \\[options\\]`, 'm'))
    expect(help.stdout).toContain('Examples:')
  })

  it.each(COMMANDS)('%s --help shows its flags, their WEBHOOK_TRIGGER_* variables, and examples', async (command) => {
    const help = await runCli([command, '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(new RegExp(`^Usage: webhook-trigger ${command} \\[options\\]`))
    expect(help.stdout).toContain('--config <file>')
    // Commander wraps at 80 columns off a terminal.
    expect(help.stdout).toMatch(/env:\s+WEBHOOK_TRIGGER_TOKEN_ENV\)/)
    expect(help.stdout).toMatch(new RegExp(`\\$ .*webhook-trigger ${command} --`))
  })
})

describe.concurrent('bad flags: exit 64 and one line saying why', () => {
  it.each([
    [['relay', '--prot', '3001'], "error: unknown option '--prot' (Did you mean --port?)"],
    [['listen', '--port', 'eighty'], "error: option '-p, --port <number>' argument 'eighty' is invalid. expected a whole number from 0 to 65535."],
    [['send', '--url', 'ftp://example.com', '--event', 'e'], "error: option '--url <url>' argument 'ftp://example.com' is invalid. expected an http or https URL."],
    [['send', '--url', 'http://127.0.0.1:9/webhook', '--bearer-env', 'T', '--event', 'e', '--data', '[1]'], 'error: --data must be a JSON object, e.g. \'{"id":"1234"}\''],
    [['intermediary', '--to', 'http://127.0.0.1:9/webhook', '--bearer-env', 'T'], 'error: say how senders authenticate: --inbound-key-env <VAR> (X-Api-Key) or --secret-env <VAR> (Standard Webhooks)'],
    [['listen'], 'error: say what to accept: --tenant <id> --token-env <VAR> (Basic or Bearer), or --secret-env <VAR> (Standard Webhooks)'],
    [['relay', '--to', 'http://127.0.0.1:9/webhook', '--tenant', 'a:b', '--token-env', 'T'], 'error: basicAuth(): "tenant" cannot contain ":" (RFC 7617)'],
    [['sned'], "error: unknown command 'sned' (Did you mean send?)"],
  ])('webhook-trigger %j', async (args, line) => {
    const result = await runCli(args, { T: TOKEN })
    expect(result).toEqual({ code: 64, stdout: '', stderr: `${line}\n` })
  })
})

describe('configuration: flags over WEBHOOK_TRIGGER_* variables over the --config file', () => {
  // Three receivers; which one gets the event tells where `--url` came from.
  const names = ['file', 'section', 'variable', 'flag'] as const
  const targets = {} as Record<(typeof names)[number], Upstream>
  let dir: string
  const received = () => Object.fromEntries(names.map((name) => [name, targets[name].received.length]))
  beforeAll(async () => {
    for (const name of names) targets[name] = await startUpstream()
    dir = mkdtempSync(join(tmpdir(), 'cli-config-'))
    writeFileSync(join(dir, 'top.json'), JSON.stringify({ url: `${targets.file.url}/webhook`, 'token-env': 'API_TOKEN', tenant: 'tenant123', event: 'from_file', port: 4999 }))
    writeFileSync(join(dir, 'section.json'), JSON.stringify({ url: `${targets.file.url}/webhook`, send: { url: `${targets.section.url}/webhook`, 'bearer-env': 'API_TOKEN', event: 'e' } }))
    writeFileSync(join(dir, 'secret.json'), JSON.stringify({ token: TOKEN }))
    writeFileSync(join(dir, 'bad-port.json'), JSON.stringify({ listen: { port: 'eighty' } }))
  })
  afterAll(async () => {
    for (const name of names) await targets[name].close()
  })
  const send = (config: string, env: Record<string, string> = {}, ...flags: string[]) =>
    runCli(['send', '--config', config, '--data', '{}', ...flags], { API_TOKEN: TOKEN, ...env }, dir)

  it('the file alone: its top-level keys apply to every command that has the flag', async () => {
    expect((await send('top.json')).code).toBe(0)
    expect(received()).toEqual({ file: 1, section: 0, variable: 0, flag: 0 })
    expect(JSON.parse(targets.file.received[0]!.body.toString())).toMatchObject({ event: 'from_file' })
  })

  it("a command's section wins over the top level", async () => {
    expect((await send('section.json')).code).toBe(0)
    expect(received()).toEqual({ file: 1, section: 1, variable: 0, flag: 0 })
    expect(targets.section.received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('a variable wins over the file', async () => {
    expect((await send('top.json', { WEBHOOK_TRIGGER_URL: `${targets.variable.url}/webhook` })).code).toBe(0)
    expect(received()).toEqual({ file: 1, section: 1, variable: 1, flag: 0 })
  })

  it('a flag wins over the variable and the file', async () => {
    expect((await send('top.json', { WEBHOOK_TRIGGER_URL: `${targets.variable.url}/webhook` }, '--url', `${targets.flag.url}/webhook`)).code).toBe(0)
    expect(received()).toEqual({ file: 1, section: 1, variable: 1, flag: 1 })
  })

  it('WEBHOOK_TRIGGER_CONFIG names the file', async () => {
    expect((await runCli(['send', '--data', '{}'], { API_TOKEN: TOKEN, WEBHOOK_TRIGGER_CONFIG: 'top.json' }, dir)).code).toBe(0)
    expect(received().file).toBe(2)
  })

  it('a secret cannot sit in the file: there is no flag for it', async () => {
    expect(await send('secret.json')).toEqual({ code: 64, stdout: '', stderr: 'error: --config secret.json: no command has a flag "--token"\n' })
  })

  it('a bad value in the file is one line naming the file and the key', async () => {
    const result = await runCli(['listen', '--config', 'bad-port.json'], {}, dir)
    expect(result).toEqual({ code: 64, stdout: '', stderr: 'error: --config bad-port.json: "port": expected a whole number from 0 to 65535.\n' })
  })

  it('a missing file is one line', async () => {
    expect(await send('nope.json')).toEqual({ code: 64, stdout: '', stderr: 'error: cannot read --config nope.json: ENOENT\n' })
  })
})

describe('secrets', () => {
  it('no token was printed by any process of this file', () => {
    expect(transcript()).toContain('delivered')
    expect(transcript()).not.toContain(TOKEN)
  })
})
