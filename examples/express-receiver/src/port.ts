/** PORT from the environment, defaulting to 3000; exits with a clear message when it is not a port. */
export function portFrom(value: string | undefined): number {
  const port = Number(value ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a number from 0 to 65535, got "${value}"`)
    process.exit(1)
  }
  return port
}
