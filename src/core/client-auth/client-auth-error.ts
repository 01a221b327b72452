import { OAuthError } from '../../errors.js'

/**
 * RFC 6749 §5.2 `invalid_client`, always 401 (docs/decisions.md A21: so that clients whose registration
 * is gone re-register, A38). When the client tried `Authorization: Basic`, or sent no
 * credentials at all, the answer carries a Basic challenge: §5.2 requires it for the first, and
 * RFC 9110 §11.6.1 requires a challenge on every 401, which only the second leaves us free to add.
 */
export function invalidClient(
  description: string,
  challenge: { readonly basic: boolean; readonly realm: string },
  cause?: unknown,
): OAuthError {
  return new OAuthError('invalid_client', description, {
    status: 401,
    ...(challenge.basic ? { challenge: `Basic realm="${challenge.realm}", charset="UTF-8"` } : {}),
    ...(cause === undefined ? {} : { cause }),
  })
}
