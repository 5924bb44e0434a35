import { readFileSync } from 'node:fs'
import { UsageError } from './usage-error.js'

/** Where a secret comes from: the options `--<name>-env` and `--<name>-file`. */
export interface SecretSource {
  env?: string
  file?: string
}

/**
 * Reads a secret from the variable or the file it is named by. Messages name
 * the variable or the file, never the value.
 */
export function readSecret(flag: string, source: SecretSource): string | undefined {
  if (source.env !== undefined && source.file !== undefined) throw new UsageError(`give --${flag}-env or --${flag}-file, not both`)
  if (source.env !== undefined) {
    const value = process.env[source.env]
    if (value === undefined || value === '') throw new UsageError(`--${flag}-env names ${source.env}, which is not set or empty`)
    return value
  }
  if (source.file !== undefined) {
    let text: string
    try {
      text = readFileSync(source.file, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read --${flag}-file ${source.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
    }
    // Files written by `echo` or an editor end with a newline that is not part of the secret.
    const value = text.replace(/\r?\n$/, '')
    if (value === '') throw new UsageError(`--${flag}-file ${source.file} is empty`)
    return value
  }
  return undefined
}
