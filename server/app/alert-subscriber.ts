/** Wires AgentAlerts to the domain events it reacts to and to the job that runs its delayed checks. */
import type { JobWorker } from '../jobs/worker.ts';
import type { AgentAlerts } from './alerts.ts';
import type { DomainEvents } from './events.ts';

export function subscribeAlerts(events: DomainEvents, worker: JobWorker, alerts: AgentAlerts): void {
  events.on('conversation.queued', ({ conversation }) => alerts.queued(conversation));
  // Back in the queue (unassigned, or its agent left): a new wait, with its own checks.
  events.on('conversation.unassigned', ({ conversation }) => alerts.queued(conversation));
  events.on('conversation.transferred', ({ conversation, toAgentId }) => alerts.transferred(conversation, toAgentId));
  events.on('message.created', ({ message, conversation }) => {
    if (message.authorKind === 'visitor') return alerts.visitorWrote(message, conversation);
  });
  // A new conversation's first message is stored before routing assigns it: the agent it went to hears of it
  // now, under the same key the message would have used.
  events.on('conversation.assigned', ({ conversation, actor }) => {
    const first = conversation.lastMessage;
    if (actor.kind === 'system' && first?.authorKind === 'visitor') return alerts.visitorWrote(first, conversation);
  });
  worker.handle('alert.check', (job) => alerts.check(job));
}
