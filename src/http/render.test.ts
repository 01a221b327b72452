import { describe, expect, it } from 'vitest'
import { StoreUnavailableError } from '../core/store/store-unavailable-error.js'
import { silentLogger } from '../logger.js'
import { errorResponse } from './render.js'

describe('errorResponse', () => {
  it('renders StoreUnavailableError as 503 temporarily_unavailable with Retry-After, never 500', async () => {
    const response = errorResponse(
      new StoreUnavailableError('database unavailable: Connection terminated unexpectedly', {
        retryAfterSeconds: 7,
      }),
      silentLogger,
      { 'Access-Control-Allow-Origin': '*' },
    )
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('7')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    const body = (await response.json()) as Record<string, string>
    expect(body.error).toBe('temporarily_unavailable')
    // The driver's words stay in the log.
    expect(body.error_description).not.toContain('Connection terminated')
  })

  it('defaults Retry-After to 5 seconds', () => {
    const response = errorResponse(new StoreUnavailableError('down'), silentLogger)
    expect(response.headers.get('retry-after')).toBe('5')
  })
})
