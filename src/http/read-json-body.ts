import { invalidClientMetadata, OAuthError } from '../errors.js'

/**
 * Reads a JSON request body with a hard size limit, so a client can neither exhaust memory nor
 * hold the request open by sending more. Errors, per decision A11: a Content-Type other than
 * application/json → 415; too large → 413; not UTF-8 or not JSON → 400 invalid_client_metadata.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  if (!isJsonContentType(request.headers.get('content-type'))) {
    throw new OAuthError('invalid_request', 'Content-Type must be application/json', {
      status: 415,
    })
  }
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes)

  const bytes = await readLimited(request, maxBytes)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw invalidClientMetadata('request body is not valid UTF-8')
  }
  try {
    return JSON.parse(text)
  } catch {
    throw invalidClientMetadata('request body is not valid JSON')
  }
}

/** `application/json`, optionally with parameters; a charset other than UTF-8 is refused. */
function isJsonContentType(header: string | null): boolean {
  if (header === null) return false
  const [type = '', ...params] = header.split(';')
  if (type.trim().toLowerCase() !== 'application/json') return false
  return params.every((param) => {
    const [name = '', value = ''] = param.split('=')
    return name.trim().toLowerCase() !== 'charset' || /^"?utf-8"?$/i.test(value.trim())
  })
}

async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0]
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

function tooLarge(maxBytes: number): OAuthError {
  return new OAuthError('invalid_request', `request body must be at most ${maxBytes} bytes`, {
    status: 413,
  })
}
