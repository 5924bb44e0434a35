import { describe, expect, it } from 'vitest'
import { prefersText } from './negotiate.js'

describe('prefersText()', () => {
  it.each([
    // Prometheus 2.x and 3.x scrape headers.
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', true],
    ['application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,text/plain;version=0.0.4;q=0.3,*/*;q=0.2', true],
    ['text/plain', true],
    ['text/*', true],
    ['text/plain, application/json', false],
    ['application/json;q=0.5, text/plain', true],
    ['application/json', false],
    ['*/*', false],
    ['', false],
    [undefined, false],
    ['text/plain;q=0', false],
    ['text/html', false],
  ])('%j prefers text: %s', (accept, expected) => {
    expect(prefersText(accept)).toBe(expected)
  })
})
