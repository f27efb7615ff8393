/**
 * A visitor's profile writes: merging attributes into the stored map within the caps on the stored total, and
 * what changed (all agents are told only that). Pure, so the store runs it inside the guarded write that keeps
 * two concurrent updates within the caps.
 */
import type { VisitorChange, VisitorDTO } from '../contract/dto.ts';
import { MAX_VISITOR_ATTRIBUTE_BYTES, MAX_VISITOR_ATTRIBUTES } from '../contract/events.ts';

export type AttributeValue = string | number | boolean;
/** An update: a null value removes the key. */
export type AttributePatch = Record<string, AttributeValue | null>;

export type AttributeMerge =
  | { ok: true; attributes: Record<string, unknown>; changed: AttributePatch }
  | { ok: false; reason: string };

/** The stored map after `patch`, and the keys that really changed (null: removed), or why it would exceed a cap. */
export function mergeAttributes(stored: Record<string, unknown>, patch: AttributePatch): AttributeMerge {
  const attributes = { ...stored };
  const changed: AttributePatch = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (!Object.hasOwn(attributes, key)) continue;
      delete attributes[key];
    } else {
      if (attributes[key] === value) continue;
      attributes[key] = value;
    }
    changed[key] = value;
  }
  const keys = Object.keys(attributes).length;
  if (keys > MAX_VISITOR_ATTRIBUTES && keys > Object.keys(stored).length) {
    return { ok: false, reason: `A visitor keeps at most ${MAX_VISITOR_ATTRIBUTES} attributes; remove some (set them to null) first` };
  }
  const bytes = byteLength(attributes);
  if (bytes > MAX_VISITOR_ATTRIBUTE_BYTES && bytes > byteLength(stored)) {
    return { ok: false, reason: `A visitor's attributes take at most ${MAX_VISITOR_ATTRIBUTE_BYTES} bytes in total; remove some (set them to null) first` };
  }
  return { ok: true, attributes, changed };
}

const utf8 = new TextEncoder();
const byteLength = (attributes: Record<string, unknown>) => utf8.encode(JSON.stringify(attributes)).length;

/** The fields of `after` that differ from `before`, with the attribute keys that changed. */
export function visitorChange(before: VisitorDTO, after: VisitorDTO, changedAttributes: AttributePatch): VisitorChange {
  const change: Record<string, unknown> = { id: after.id, siteId: after.siteId };
  for (const [field, value] of Object.entries(after)) {
    if (field !== 'attributes' && value !== before[field as keyof VisitorDTO]) change[field] = value;
  }
  if (Object.keys(changedAttributes).length > 0) change.attributes = changedAttributes;
  return change as VisitorChange;
}
