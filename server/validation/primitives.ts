/**
 * The zod building blocks every inbound payload is made of, Socket.IO commands and HTTP bodies alike: bounded
 * ids and text that the database and JSON can hold.
 */
import { z } from 'zod';

/** ES2024 `String#isWellFormed` (Node 20+): no unpaired UTF-16 surrogate. The project's ES2023 lib lacks its type. */
const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Any free text that is stored or sent on: no NUL (PostgreSQL refuses it in text) and no unpaired surrogate
 * (it has no UTF-8 form, so JSON and the database would mangle it). Refused here with BAD_REQUEST.
 */
export const storableText = () =>
  z.string().refine((s) => !s.includes('\0') && isWellFormed(s), 'must not contain NUL characters or unpaired UTF-16 surrogates');

/** Trimmed free text of at most `max` characters. */
export const text = (max: number) => storableText().trim().max(max);

/** Names and user ids are one line: a profileHash joins them with line breaks, so they cannot hold one. */
export const oneLine = [/^[^\r\n]*$/, 'must be one line'] as const;

export const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be an id');

/** A password being set (an account created, an invitation accepted); signing in takes any the account has. */
export const newPassword = z.string().min(8, 'must be at least 8 characters').max(1024);
