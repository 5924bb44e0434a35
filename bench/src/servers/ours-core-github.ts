import { createWebhookVerifier, githubSignature } from '@webhook-trigger/core'
import { GITHUB_SECRET, PATH } from '../fixture.js'
import { serveVerifier } from './core-server.js'

// Ours: the core on bare node:http verifying GitHub's X-Hub-Signature-256,
// the peer of @octokit/webhooks' Node middleware, with every default on: the
// HMAC over the raw bytes, UTF-8, depth, forbidden keys, the envelope, and
// replay protection by X-GitHub-Delivery. The runner gives every request its
// own delivery id, so each one is new and remembered, as in production.

serveVerifier(createWebhookVerifier({ path: PATH, auth: githubSignature({ secret: GITHUB_SECRET }) }))
