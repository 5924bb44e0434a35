import { readFileSync } from 'node:fs'
import { Command, CommanderError, type Option } from 'commander'
import { intermediaryCommand } from './commands/intermediary.js'
import { listenCommand } from './commands/listen.js'
import { relayCommand } from './commands/relay.js'
import { sendCommand } from './commands/send.js'
import { applyConfig } from './config.js'
import { USAGE_EXIT, UsageError } from './usage-error.js'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

const EXAMPLES = `
Examples:
  $ webhook-trigger listen --tenant tenant123 --token-env API_TOKEN
  $ webhook-trigger send --url http://localhost:3000/webhook --tenant tenant123 --token-env API_TOKEN --event customer_update --data '{"id":"1234"}'
  $ webhook-trigger relay --to https://api.example.com/webhook --tenant tenant123 --token-env API_TOKEN
  $ webhook-trigger intermediary --to https://api.example.com/webhook --bearer-env API_TOKEN --inbound-key-env CRM_KEY --transform ./transform.mjs

Configuration: a flag wins over its WEBHOOK_TRIGGER_* variable (--token-env is WEBHOOK_TRIGGER_TOKEN_ENV),
which wins over the --config JSON file. Secrets are never flags: --*-env names a variable, --*-file a file.
`

/** An option's help: its description, then its default (a described one too, such as "every interface") and its variable. */
function optionDescription(option: Option): string {
  const extra: string[] = []
  if (option.defaultValueDescription !== undefined) extra.push(`default: ${option.defaultValueDescription}`)
  else if (option.defaultValue !== undefined) extra.push(`default: ${JSON.stringify(option.defaultValue)}`)
  if (option.envVar !== undefined) extra.push(`env: ${option.envVar}`)
  return extra.length === 0 ? option.description : `${option.description} (${extra.join(', ')})`
}

/**
 * The `webhook-trigger` program: four commands, errors in one line, exit 64 for a usage error.
 * Its actions set `process.exitCode`; `main()` runs it on `process.argv`.
 *
 * @example
 * const program = createProgram()
 * console.log(program.commands.map((command) => command.name())) // ['relay', 'intermediary', 'send', 'listen']
 */
export function createProgram(): Command {
  const program = new Command('webhook-trigger')
    .description('Run a webhook relay, a durable intermediary or a local listener, and send authenticated webhooks, without writing code.')
    .version(version, '-v, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXAMPLES)
  for (const command of [relayCommand(), intermediaryCommand(), sendCommand(), listenCommand()]) program.addCommand(command)
  program.commands.forEach((command) => command.showSuggestionAfterError(true))
  program.hook('preAction', (_program, command) => applyConfig(command))
  // One line per error: commander puts its "Did you mean" suggestion on a line of its own.
  const outputError = (text: string, write: (text: string) => void) => write(text.trim().replace(/\s*\n\s*/g, ' ') + '\n')
  for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ outputError }).configureHelp({ optionDescription })
  return program
}

/**
 * Runs the command line and sets `process.exitCode`: 0, `send`'s 1
 * (rejected) or 2 (failed), or 64 for a usage error, reported in one line.
 * Servers keep running after it resolves, until SIGTERM or SIGINT.
 *
 * @example
 * await main(['send', '--url', 'http://localhost:3000/webhook', '--bearer-env', 'API_TOKEN', '--event', 'ping', '--data', '{}'])
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const program = createProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the error or the help already.
      process.exitCode = error.exitCode === 0 ? 0 : USAGE_EXIT
      return
    }
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`)
      process.exitCode = USAGE_EXIT
      return
    }
    throw error
  }
}
