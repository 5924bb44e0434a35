// koa-basic-auth 4 ships no types; this is its whole API.
declare module 'koa-basic-auth' {
  import type { Middleware } from 'koa'

  function auth(options: { name?: string; pass?: string; realm?: string }): Middleware
  export default auth
}
