import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Machine, describeMachine } from './machine.js'
import type { BenchOptions } from './options.js'
import { type ConfigResult, buildRows, checkTargets, markdownTable, notes, targetsTable } from './report.js'

/** bench/results/latest.json for the reference payload, latest-10k.json for `--body-size 10k`, and so on. */
function resultsFile(bodySize: number): string {
  const suffix = bodySize === 0 ? '' : `-${bodySize % 1024 === 0 ? `${bodySize / 1024}k` : `${bodySize}b`}`
  return fileURLToPath(new URL(`../results/latest${suffix}.json`, import.meta.url))
}

/** Prints the Markdown tables and writes the JSON; returns the JSON's path. */
export function publish(results: readonly ConfigResult[], context: { options: BenchOptions; machine: Machine; pinned: boolean; bodyBytes: number }): string {
  const rows = buildRows(results)
  const targets = checkTargets(rows)
  const remarks = notes(results)
  console.log(['', markdownTable(rows), ...remarks.map((line) => `\n${line}`), '', targetsTable(targets), ''].join('\n'))

  const file = resultsFile(context.options.bodySize)
  mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true })
  const json = {
    date: new Date().toISOString(),
    ...context,
    machine: { ...context.machine, loadAverageAtEnd: describeMachine().loadAverage },
    rows,
    targets,
    notes: remarks,
    rounds: results.map(({ config, rounds }) => ({ name: config.name, rounds })),
  }
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
  return file
}
