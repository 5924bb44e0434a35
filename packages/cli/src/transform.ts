import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ForwardOptions } from '@webhook-trigger/express'
import { UsageError } from './usage-error.js'

type Transform = NonNullable<ForwardOptions['transform']>

/** Imports `--transform <module>`, a path resolved against the working directory, and returns its default export. */
export async function loadTransform(module: string): Promise<Transform> {
  const url = pathToFileURL(resolve(process.cwd(), module)).href
  let loaded: { default?: unknown }
  try {
    loaded = (await import(url)) as { default?: unknown }
  } catch (error) {
    throw new UsageError(`cannot load --transform ${module}: ${String((error as Error).message).split('\n')[0]}`)
  }
  if (typeof loaded.default !== 'function') throw new UsageError(`--transform ${module} must have a default export (webhook) => ({ event, data })`)
  return loaded.default as Transform
}
