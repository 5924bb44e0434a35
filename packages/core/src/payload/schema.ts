import type { StandardSchemaV1 } from '@standard-schema/spec'
import { type FieldError, type Problem, problem } from '../problem.js'

export type { StandardSchemaV1 }

function pointerOf(path: StandardSchemaV1.Issue['path'], base: string): string {
  if (path === undefined) return base
  let pointer = base
  for (const segment of path) {
    const key = typeof segment === 'object' ? segment.key : segment
    pointer += '/' + String(key).replaceAll('~', '~0').replaceAll('/', '~1')
  }
  return pointer
}

/** True for anything implementing Standard Schema v1 (zod, valibot, arktype...). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const standard = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard']
  return typeof standard === 'object' && standard !== null && standard.version === 1 && typeof standard.validate === 'function'
}

/**
 * Validates `value` (the envelope's `data`) with a Standard Schema, returning
 * the schema's output (it may coerce or strip) or a 422 naming its issues.
 */
export async function validateSchema(
  schema: StandardSchemaV1,
  value: unknown,
  event: string,
): Promise<{ ok: true; value: unknown } | { ok: false; problem: Problem }> {
  let result = schema['~standard'].validate(value)
  if (result instanceof Promise) result = await result
  if (result.issues === undefined) return { ok: true, value: result.value }
  const errors: FieldError[] = result.issues.map((issue) => ({ pointer: pointerOf(issue.path, '/data'), detail: issue.message }))
  return {
    ok: false,
    problem: problem('payload.schema', `The data of event "${event}" does not match its schema.`, { errors }),
  }
}
