/**
 * Which conversation a reply belongs to: the signed reply address among its recipients, or else one of our
 * signed Message-IDs in In-Reply-To / References. A token that is present but does not verify (forged, altered,
 * expired) refuses the message rather than falling back to a weaker match, so a reply never lands in the wrong
 * conversation.
 */
import type { EmailTokens } from '../tokens.ts';
import { InboundRefusal } from './refusal.ts';
import type { ParsedReply } from './parse-email.ts';

const OUR_MESSAGE_ID = /^<?r\.[0-9a-f]+\.[0-9a-f]+@/i;

export function matchConversation(reply: Pick<ParsedReply, 'recipients' | 'references'>, tokens: EmailTokens, replyDomain: string): string {
  const ours = reply.recipients.filter((address) => isReplyAddress(address, replyDomain));
  const byAddress = new Set(ours.map((address) => tokens.conversationOfReplyAddress(address, replyDomain)));
  const ourIds = reply.references.filter((id) => OUR_MESSAGE_ID.test(id.trim()));
  const byReference = ourIds.map((id) => tokens.conversationOfMessageId(id)).find((id) => id !== null) ?? null;
  if (byAddress.has(null)) throw new InboundRefusal('bad_token', 'The reply address is not valid or has expired');
  if (byAddress.size > 1) throw new InboundRefusal('ambiguous', 'The message is addressed to several conversations');
  const [addressed] = byAddress as Set<string>;
  if (addressed) {
    if (byReference && byReference !== addressed) throw new InboundRefusal('ambiguous', 'The reply address and the references name different conversations');
    return addressed;
  }
  if (byReference) return byReference;
  if (ourIds.length > 0) throw new InboundRefusal('bad_token', 'The message replies to an email whose reply token is not valid or has expired');
  throw new InboundRefusal('unmatched', 'The message names no conversation: reply to an email about one');
}

/** reply+…@ the reply domain: ours to check, whether or not its token verifies. */
export function isReplyAddress(address: string, replyDomain: string): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && address.slice(0, at).toLowerCase().startsWith('reply+') && address.slice(at + 1).toLowerCase() === replyDomain.toLowerCase();
}
