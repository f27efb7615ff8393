/** Merges a `visitor:updated` change (only the fields that changed) into what the console holds. */
import type { VisitorChange, VisitorDTO, VisitorSummary } from '../server/contract/dto.ts';

/** The visitor after `change`: changed fields replaced, changed attributes merged (null removes one). */
export function applyVisitorChange(visitor: VisitorDTO, change: VisitorChange): VisitorDTO {
  const { attributes: changedAttributes, ...fields } = change;
  const attributes = { ...visitor.attributes };
  for (const [key, value] of Object.entries(changedAttributes ?? {})) {
    if (value === null) delete attributes[key];
    else attributes[key] = value;
  }
  return { ...visitor, ...fields, attributes };
}

/** A conversation list's visitor after `change`. */
export function applyVisitorSummaryChange(visitor: VisitorSummary, change: VisitorChange): VisitorSummary {
  const { name = visitor.name, email = visitor.email, verified = visitor.verified } = change;
  const { nameVerified = visitor.nameVerified, emailVerified = visitor.emailVerified } = change;
  return { id: visitor.id, name, email, verified, nameVerified, emailVerified };
}
