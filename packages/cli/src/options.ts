import { type Command, InvalidArgumentError, Option } from 'commander'

/** Every flag can also be set as WEBHOOK_TRIGGER_<FLAG>, e.g. `--token-env` as WEBHOOK_TRIGGER_TOKEN_ENV. */
export const ENV_PREFIX = 'WEBHOOK_TRIGGER_'

/** A flag whose value may also come from its WEBHOOK_TRIGGER_* variable (commander ranks the flag first). */
export function option(flags: string, description: string): Option {
  const created = new Option(flags, description)
  return created.env(ENV_PREFIX + created.attributeName().replace(/[A-Z]/g, (c) => '_' + c).toUpperCase())
}

export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const parsed = Number(value)
    if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`)
    return parsed
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `500`, `500ms`, `5s`, `30m`, `2h`, in ms. */
export function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim())
  if (match === null) throw new InvalidArgumentError('expected a duration such as 500ms, 5s, 30m or 2h.')
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!)
}

/** `5s,5m,30m`: the wait before each retry. */
export function durations(value: string): number[] {
  const list = value.split(',').map((part) => duration(part))
  if (list.length === 0) throw new InvalidArgumentError('expected a comma-separated list of durations, e.g. 5s,5m,30m.')
  return list
}

export function httpUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError('expected an absolute URL, e.g. http://127.0.0.1:3000/webhook.')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http or https URL.')
  return url.href
}

export function urlPath(value: string): string {
  if (!value.startsWith('/')) throw new InvalidArgumentError('expected a path starting with "/", e.g. /webhook.')
  return value
}

/** `--port` and `--host`, for the commands that run a server. */
export function serverOptions(command: Command, port: number): Command {
  return command
    .addOption(option('-p, --port <number>', 'port to listen on; 0 picks a free one').argParser(integer(0, 65535)).default(port))
    .addOption(option('--host <address>', 'address to listen on').default(undefined, 'every interface'))
}

/** A secret's two sources: an environment variable named on the command line, or a file. */
export function secretOptions(command: Command, name: string, what: string): Command {
  return command
    .addOption(option(`--${name}-env <VAR>`, `environment variable holding ${what}`))
    .addOption(option(`--${name}-file <path>`, `file holding ${what}`))
}

/** The credentials attached to outgoing requests, shared by relay, intermediary and send. */
export function outboundAuthOptions(command: Command, target: string): Command {
  command
    .addOption(option('--tenant <id>', `tenant ID: HTTP Basic (tenant:token) to ${target}`))
    .addOption(option('--header <name>', `send the token in this header instead, e.g. X-Api-Key`))
  secretOptions(command, 'token', 'the API token')
  return secretOptions(command, 'bearer', `a token sent to ${target} as Authorization: Bearer`)
}

/** `--config <file>`, on every command. */
export function configOption(command: Command): Command {
  return command.addOption(option('-c, --config <file>', 'JSON file of flag values; flags and WEBHOOK_TRIGGER_* variables win over it'))
}
