/** What routing commands handled together in one turn (see TurnBatch in serial.ts) share. */
import type { AgentStatus } from '../contract/dto.ts';
import type { Decision } from '../domain/routing.ts';

export interface StatusChange {
  agentId: string;
  status: AgentStatus;
}

/** A check's answer as an outcome, so one item of a batch can fail alone. */
export function settle<T>(check: () => T): PromiseSettledResult<T> {
  try {
    return { status: 'fulfilled', value: check() };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

/**
 * Several routing decisions made in one turn, persisted as few: consecutive decisions merge into one as long as
 * the later ones requeue nothing, so every requeue is still written before any assignment made after it.
 */
export function mergeInOrder(decisions: Decision[]): Decision[] {
  const merged: Decision[] = [];
  for (const d of decisions) {
    const last = merged.at(-1);
    if (!last || d.requeued.length > 0) {
      merged.push({ assigned: [...d.assigned], requeued: [...d.requeued], queueChanged: [...d.queueChanged] });
      continue;
    }
    last.assigned.push(...d.assigned);
    last.queueChanged = [...new Set([...last.queueChanged, ...d.queueChanged])].sort();
  }
  return merged;
}
