// Both majors of each framework are installed under npm aliases for the
// tests; they share the current major's type definitions.
declare module 'express4' {
  import express from 'express'
  export default express
}
declare module 'express5' {
  import express from 'express'
  export default express
}
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
declare module 'koa3' {
  import Koa from 'koa'
  export default Koa
}
declare module 'fastify4' {
  import fastify from 'fastify'
  export default fastify
}
declare module 'fastify5' {
  import fastify from 'fastify'
  export default fastify
}
