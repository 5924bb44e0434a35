import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

/** The server under test (and the upstream) run here... */
export const SERVER_CPU = 0
/** ...and autocannon here, so the load generator never steals the server's core. */
export const LOAD_CPU = 1

/** True when `taskset` exists and there are two cores to split. */
export function canPin(): boolean {
  return availableParallelism() >= 2 && spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0
}

/** The command line that runs `node args` on `cpu`, or unpinned when `cpu` is undefined. */
export function nodeCommand(cpu: number | undefined, args: readonly string[]): [string, string[]] {
  return cpu === undefined ? [process.execPath, [...args]] : ['taskset', ['-c', String(cpu), process.execPath, ...args]]
}
