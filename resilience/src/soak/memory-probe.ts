/**
 * Preloaded into a server under soak (`node --import memory-probe.js`):
 * answers each "memory" message on the IPC channel with the process's
 * memory, measured inside it (heap figures are not visible from outside).
 * The channel is unref'd, so it never keeps the server alive.
 */
process.channel?.unref()
process.on('message', (message) => {
  if (message !== 'memory') return
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage()
  process.send?.({ type: 'memory', rss, heapUsed, heapTotal, external })
})
