// B0: the floor every target is measured against. A bare node:http server that reads the body,
// parses it (JSON, or a form for the token workload), and answers with about 300 bytes of JSON:
// 201 for a JSON POST (W1), 200 for anything else (W2, W3, W4). No framework, no database.
import { createServer } from 'node:http'

const PAD = 'x'.repeat(160)

/** @param {string} text @param {string | undefined} type */
function parse(text, type) {
  if (text === '') return {}
  if (type?.startsWith('application/json')) return JSON.parse(text)
  return Object.fromEntries(new URLSearchParams(text))
}

const server = createServer((request, response) => {
  /** @type {Buffer[]} */
  const chunks = []
  request.on('data', (/** @type {Buffer} */ chunk) => chunks.push(chunk))
  request.on('end', () => {
    let parsed
    try {
      parsed = parse(Buffer.concat(chunks).toString('utf8'), request.headers['content-type'])
    } catch {
      response.writeHead(400, { 'Content-Type': 'application/json' })
      response.end('{"error":"invalid_request"}')
      return
    }
    const created =
      request.method === 'POST' &&
      (request.headers['content-type'] ?? '').startsWith('application/json')
    const body = JSON.stringify({
      client_id: 'b0-0123456789abcdefghij',
      client_id_issued_at: Math.floor(Date.now() / 1000),
      client_name: typeof parsed.client_name === 'string' ? parsed.client_name : 'B0',
      fields: Object.keys(parsed).length,
      padding: PAD,
    })
    response.writeHead(created ? 201 : 200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(body),
    })
    response.end(body)
  })
})

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`)
})

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
