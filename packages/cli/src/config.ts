import { readFileSync } from 'node:fs'
import { type Command, InvalidArgumentError, type Option } from 'commander'
import { UsageError } from './usage-error.js'

type Values = Record<string, unknown>

function isObject(value: unknown): value is Values {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function load(path: string): Values {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read --config ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`--config ${path} is not JSON: ${(error as Error).message}`)
  }
  if (!isObject(parsed)) throw new UsageError(`--config ${path} must hold a JSON object, e.g. { "to": "http://127.0.0.1:3000/webhook" }`)
  return parsed
}

const byKey = (command: Command, key: string): Option | undefined => command.options.find((o) => o.long === `--${key}` || o.attributeName() === key)

function parse(option: Option, value: unknown, where: string): unknown {
  const takesValue = option.required || option.optional
  if (!takesValue) {
    if (typeof value !== 'boolean') throw new UsageError(`${where} must be true or false`)
    return value
  }
  if (typeof value !== 'string' && typeof value !== 'number') throw new UsageError(`${where} must be a string or a number`)
  if (option.parseArg === undefined) return String(value)
  try {
    return option.parseArg(String(value), undefined)
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(`${where}: ${error.message}`)
    throw error
  }
}

/**
 * Fills in, from the `--config` file, every option that neither a flag nor a
 * WEBHOOK_TRIGGER_* variable set. The file's top-level keys apply to every
 * command that has the option; a section named after the command
 * (`"relay": { ... }`) applies to that command and wins over the top level.
 * Keys are the long flag names: `"to"`, `"token-env"`, `"port"`.
 */
export function applyConfig(command: Command): void {
  const path = command.opts<{ config?: string }>().config
  if (path === undefined) return
  const file = load(path)
  const commands = command.parent?.commands ?? [command]
  const names = new Set(commands.map((c) => c.name()))
  const section = file[command.name()]
  if (section !== undefined && !isObject(section)) throw new UsageError(`--config ${path}: "${command.name()}" must be an object of flag values`)
  const values: Values = {}
  for (const [key, value] of Object.entries(file)) {
    if (names.has(key)) continue
    if (byKey(command, key) !== undefined) values[key] = value
    else if (!commands.some((c) => byKey(c, key) !== undefined)) throw new UsageError(`--config ${path}: no command has a flag "--${key}"`)
  }
  for (const [key, value] of Object.entries(section ?? {})) {
    if (byKey(command, key) === undefined) throw new UsageError(`--config ${path}: ${command.name()} has no flag "--${key}"`)
    values[key] = value
  }
  for (const [key, value] of Object.entries(values)) {
    const option = byKey(command, key)!
    if (option.long === '--config') throw new UsageError(`--config ${path}: a config file cannot name another config file`)
    const name = option.attributeName()
    const source = command.getOptionValueSource(name)
    if (source !== undefined && source !== 'default') continue
    command.setOptionValueWithSource(name, parse(option, value, `--config ${path}: "${key}"`), 'config')
  }
}
