import { basicAuth, createClient } from '@webhook-trigger/client'

// Sending from your own code: the event goes out authenticated, with retries.
const client = createClient({
  url: process.env.TARGET_URL ?? 'http://127.0.0.1:3000/webhook',
  auth: basicAuth(process.env.TENANT_ID ?? 'tenant123', process.env.API_TOKEN ?? 'api_token_abc123'),
})

const result = await client.send('customer_update', { id: '1234', status: 'active' })
console.log(JSON.stringify(result))
process.exitCode = result.outcome === 'delivered' ? 0 : 1
