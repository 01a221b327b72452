import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.js'
import { parseResourceIndicators } from './parse-resource-indicator.js'

describe('RFC 8707 §2: resource is an absolute URI without a fragment', () => {
  it.each([
    [['https://mcp.example.com/mcp'], ['https://mcp.example.com/mcp']],
    [['https://MCP.example.com/'], ['https://mcp.example.com']],
    [['https://mcp.example.com', 'https://mcp.example.com/'], ['https://mcp.example.com']],
    [['HTTPS://mcp.example.com:443/'], ['https://mcp.example.com']],
    // RFC 3986 §6.2.3: only an empty path and `/` are equal; a longer path keeps its slash.
    [
      ['https://mcp.example.com/mcp', 'https://mcp.example.com/mcp/'],
      ['https://mcp.example.com/mcp', 'https://mcp.example.com/mcp/'],
    ],
    // An empty query keeps its `?` (§6.2.3), and with it the `/` before it.
    [['https://mcp.example.com/?'], ['https://mcp.example.com/?']],
    [
      ['https://mcp.example.com/?', 'https://mcp.example.com'],
      ['https://mcp.example.com', 'https://mcp.example.com/?'],
    ],
    [
      ['https://b.example/x', 'https://a.example/y'],
      ['https://a.example/y', 'https://b.example/x'],
    ],
    [['urn:example:api'], ['urn:example:api']],
    [[], []],
  ])('%j is read as %j', (input, expected) => {
    expect(parseResourceIndicators(input)).toEqual(expected)
  })

  it.each(['https://rs.example/#x', 'rs.example', '/api', ''])('%j → invalid_target', (value) => {
    try {
      parseResourceIndicators([value])
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(OAuthError)
      expect((error as OAuthError).code).toBe('invalid_target')
    }
  })
})
