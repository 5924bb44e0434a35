import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'

export interface Machine {
  cpu: string
  cores: number
  memoryGb: number
  node: string
  platform: string
  /** 1-minute load average when the run started, a hint of other work on the machine. */
  loadAverage: number
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match?.[1] !== undefined) return match[1].trim()
  } catch {
    // Not Linux: fall through to what os.cpus() says.
  }
  return cpus()[0]?.model ?? 'unknown'
}

export function describeMachine(): Machine {
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: Number(loadavg()[0]!.toFixed(2)),
  }
}
