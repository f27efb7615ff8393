import { describe, expect, it } from 'vitest';
import { fts5Query, MAX_TERMS, searchTerms, websearchQuery } from '../../../server/domain/kb-search-terms.ts';
import { HOSTILE_QUERIES } from '../../support/kb-corpus.ts';

describe('knowledge-base search terms', () => {
  it('keeps words, lower-cased and once each, and drops common English words', () => {
    expect(searchTerms('How do I reset MY Password? password!')).toEqual(['reset', 'password']);
    expect(searchTerms('Rückerstattung für Bestellung 42')).toEqual(['rückerstattung', 'für', 'bestellung', '42']);
    expect(searchTerms('退款 政策')).toEqual(['退款', '政策']);
  });

  it('leaves no query syntax: operators and quotes become separators, keywords plain words', () => {
    expect(searchTerms('NEAR(refund policy, 2) -x title:refund "q* ^a')).toEqual(['near', 'refund', 'policy', '2', 'x', 'title', 'q']);
    for (const query of HOSTILE_QUERIES) {
      for (const term of searchTerms(query)) expect(term).toMatch(/^[\p{L}\p{N}]+$/u);
    }
  });

  it('caps the text read, the number of terms and their length', () => {
    expect(searchTerms('a'.repeat(41))).toEqual([]);
    expect(searchTerms(Array.from({ length: 50 }, (_, i) => `w${i}`).join(' '))).toHaveLength(MAX_TERMS);
    expect(searchTerms(`${'x '.repeat(100)}late`)).not.toContain('late');
  });

  it('quotes every term for FTS5 and joins them with OR; websearch gets `or`', () => {
    expect(fts5Query(['near', 'and'])).toBe('"near" OR "and"');
    expect(fts5Query(['a"b'])).toBe('"a""b"');
    expect(websearchQuery(['refund', 'card'])).toBe('refund or card');
  });
});
