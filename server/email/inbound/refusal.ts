/**
 * Why an inbound email is refused. The SMTP receiver answers each with a 5xx (the sender's server bounces it, so
 * the visitor learns it did not arrive); the HTTP route with a 4xx JSON body. Nothing is stored for a refusal.
 */
export type RefusalKind =
  /** Not a message we can read: no sender, too many MIME parts or too deeply nested, unparseable. */
  | 'malformed'
  | 'too_large'
  /** No reply address or Message-ID of ours among the recipients and references. */
  | 'unmatched'
  /** A reply token that does not verify: forged, altered or expired, or naming no conversation we have. */
  | 'bad_token'
  /** The reply address and the references name different conversations. */
  | 'ambiguous'
  /** Nothing left after quotes and signature were stripped, and no attachment. */
  | 'empty';

export class InboundRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
  }
}
