import { describe, expect, it } from 'vitest';
import { DomainEvents, type EventMap } from '../../../server/app/events.ts';
import type { AgentDTO } from '../../../server/contract/dto.ts';

const agent = { id: 'a1', name: 'Ann', status: 'online' } as AgentDTO;
const status: EventMap['agent.status'] = { agent, siteIds: 'all', actor: { kind: 'agent', agentId: 'a1' } };

function recordingLog() {
  const errors: { obj: object; msg?: string }[] = [];
  return { errors, log: { error: (obj: object, msg?: string) => void errors.push({ obj, msg }) } };
}

describe('DomainEvents', () => {
  it('calls the subscribers of an event in the order they subscribed, with the payload, and no others', () => {
    const events = new DomainEvents(recordingLog().log);
    const calls: string[] = [];
    events.on('agent.status', (p) => void calls.push(`first:${p.agent.id}`));
    events.on('visitor.updated', () => void calls.push('other event'));
    events.on('agent.status', (p) => void calls.push(`second:${p.agent.id}`));
    events.emit('agent.status', status);
    expect(calls).toEqual(['first:a1', 'second:a1']);
  });

  it('emits to nobody without a subscriber', () => {
    expect(() => new DomainEvents(recordingLog().log).emit('agent.status', status)).not.toThrow();
  });

  it('logs a subscriber that throws and still calls the ones after it, without throwing to the emitter', () => {
    const { errors, log } = recordingLog();
    const events = new DomainEvents(log);
    const calls: string[] = [];
    events.on('agent.status', () => {
      throw new Error('broken subscriber');
    });
    events.on('agent.status', () => void calls.push('after'));
    expect(() => events.emit('agent.status', status)).not.toThrow();
    expect(calls).toEqual(['after']);
    expect(errors).toEqual([{ obj: { err: new Error('broken subscriber'), event: 'agent.status' }, msg: 'event subscriber failed' }]);
  });

  it('logs a subscriber whose promise rejects, without an unhandled rejection', async () => {
    const { errors, log } = recordingLog();
    const events = new DomainEvents(log);
    let rejected!: () => void;
    const settled = new Promise<void>((resolve) => (rejected = resolve));
    events.on('agent.status', () => Promise.reject(new Error('enqueue failed')).finally(() => setImmediate(rejected)));
    events.emit('agent.status', status);
    await settled;
    expect(errors).toEqual([{ obj: { err: new Error('enqueue failed'), event: 'agent.status' }, msg: 'event subscriber failed' }]);
  });
});
