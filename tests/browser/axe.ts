/**
 * WCAG 2.2 AA checks with axe-core, in a page or in one frame of it (axe sees one document at a time, so the
 * widget's host page and its chat frame are checked apart). Only serious and critical findings fail a test.
 */
import axe from 'axe-core';
import type { AxeResults } from 'axe-core';
import type { Frame, Page } from 'playwright-core';
import { expect } from 'vitest';

const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/** The serious and critical violations in `target`'s document (or in its `include` selector), one line per element. */
export async function seriousViolations(target: Page | Frame, include?: string): Promise<string[]> {
  await target.evaluate(axe.source);
  const results = await target.evaluate(
    ({ tags, include }) => {
      const context = include ? { include: [[include]] } : document;
      return (window as unknown as { axe: typeof axe }).axe.run(context, { runOnly: { type: 'tag', values: tags }, iframes: false, resultTypes: ['violations'] });
    },
    { tags: WCAG_22_AA, include },
  ) as AxeResults;
  return results.violations
    .filter((violation) => FAILING_IMPACTS.has(violation.impact ?? ''))
    .flatMap((violation) =>
      violation.nodes.map((node) => `${violation.id} (${violation.impact}) at ${JSON.stringify(node.target)}: ${node.failureSummary?.replace(/\s+/g, ' ')}`),
    );
}

/** Fails with the list of serious and critical violations in `target`, `state` naming what was on screen. */
export async function expectAccessible(target: Page | Frame, state: string, include?: string): Promise<void> {
  expect(await seriousViolations(target, include), `axe-core, WCAG 2.2 AA, ${state}`).toEqual([]);
}
