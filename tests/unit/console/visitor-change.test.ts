import { describe, expect, it } from 'vitest';
import type { VisitorDTO } from '../../../server/contract/dto.ts';
import { applyVisitorChange, applyVisitorSummaryChange } from '../../../console/visitor-change.ts';

const visitor: VisitorDTO = {
  id: 'v1', siteId: 's1', name: 'Ada', email: null, verified: false, nameVerified: false, emailVerified: false, externalId: null,
  attributes: { plan: 'pro', seats: 3 }, locale: 'en', timezone: null, userAgent: null, referrer: null, pageUrl: 'https://a.test/',
  pageTitle: 'A', createdAt: '2026-12-05T10:00:00.000Z', lastSeenAt: '2026-12-05T10:00:00.000Z',
};

describe('visitor:updated changes in the console', () => {
  it('replaces the changed fields and merges the changed attributes, null removing one', () => {
    const after = applyVisitorChange(visitor, { id: 'v1', siteId: 's1', pageUrl: 'https://a.test/b', attributes: { seats: null, trial: true } });
    expect(after).toEqual({ ...visitor, pageUrl: 'https://a.test/b', attributes: { plan: 'pro', trial: true } });
  });

  it("updates a list's visitor with the verified flags, leaving what did not change", () => {
    const summary = { id: 'v1', name: 'Ada', email: null, verified: false, nameVerified: false, emailVerified: false };
    const change = { id: 'v1', siteId: 's1', externalId: 'u-1', verified: true, email: 'ada@example.com', emailVerified: true };
    expect(applyVisitorSummaryChange(summary, change)).toEqual({ ...summary, verified: true, email: 'ada@example.com', emailVerified: true });
  });
});
