import type { IncomingMessage } from 'node:http'
import { ServerResponse } from 'node:http'

type EndArguments = unknown[]

interface PendingEnd {
  readonly response: CoalescedServerResponse
  readonly args: EndArguments
}

const pending: PendingEnd[] = []
let flushScheduled = false

const endNow = ServerResponse.prototype.end as (
  this: ServerResponse,
  ...args: EndArguments
) => unknown

/**
 * Writes out, together, every response ended during one turn of the event loop: `end()` is
 * queued and runs at the turn's end (`setImmediate`), in the order the calls were made.
 *
 * Why: a response written to a socket wakes whoever waits on the other end. A client, or a
 * proxy carrying many clients, that sleeps between answers is woken once per response when
 * they leave one by one between the requests that the same turn is still handling, and once
 * per turn when they leave together. On a loopback connection the wake-up is paid inside the
 * server's own write: on the 2-vCPU bench VMs it took a quarter of the server's time for the
 * RFC 7592 read (W3), about 10 µs per response (`perf`: sock_def_readable), and writing each
 * turn's answers together took W3 from 24,000 to 38,000 answers a second (issue 6).
 *
 * What it costs: an answer leaves at most one turn later. A turn handles what was ready when
 * it began, a few hundred microseconds of work under load, and nothing at all when idle.
 * Nothing else changes: Node still writes the answers of one connection in request order, and
 * `finish`, the end callback and errors behave as they do for an end() called directly.
 */
export class CoalescedServerResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  override end(...args: EndArguments): this {
    pending.push({ response: this as CoalescedServerResponse, args })
    if (!flushScheduled) {
      flushScheduled = true
      setImmediate(flushPendingEnds)
    }
    return this
  }
}

function flushPendingEnds(): void {
  flushScheduled = false
  // An end() called while flushing (from a callback) waits for the next turn, with its turn.
  const batch = pending.splice(0)
  for (const { response, args } of batch) {
    try {
      endNow.apply(response, args)
    } catch (error) {
      // What end() throws (a body longer than its Content-Length under strictContentLength, a
      // chunk that is not a string or bytes) used to reach its caller; here it would crash the
      // process. The answer cannot be completed, so the connection is cut, as Node does when a
      // response fails mid-way.
      response.destroy(error instanceof Error ? error : new Error(String(error)))
    }
  }
}
