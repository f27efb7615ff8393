/**
 * Capacity planning arithmetic: concurrent visitors, bandwidth, and nodes from per-process limits. Pure.
 */

const MINUTES_PER_DAY = 1440;

/** C = n·t/1440: visitors online at once when n visitors a day stay t minutes each, spread evenly over the day. */
export function concurrentVisitors(dailyVisitors: number, minutesPerVisit: number): number {
  return (dailyVisitors * minutesPerVisit) / MINUTES_PER_DAY;
}

/** T = s·f: bytes per second for messages of s bytes at f messages per second. */
export function bandwidth(messageBytes: number, messagesPerSecond: number): number {
  return messageBytes * messagesPerSecond;
}

/** What one process was measured to sustain (bench/results/latest.json). */
export interface ProcessLimits {
  connections: number;
  messagesPerSecond: number;
}

export interface NodesNeeded {
  forConnections: number;
  forMessages: number;
  /** The larger of the two, at least one. */
  nodes: number;
}

/**
 * Nodes so that no process runs above (1 − margin) of what it was measured to hold: margin 0.3 plans each
 * process at 70 % of its limit, leaving room for peaks above the day's average and for a node to fail.
 */
export function nodesNeeded(load: ProcessLimits, limits: ProcessLimits, margin: number): NodesNeeded {
  const usable = 1 - margin;
  const forConnections = Math.ceil(load.connections / (limits.connections * usable));
  const forMessages = Math.ceil(load.messagesPerSecond / (limits.messagesPerSecond * usable));
  return { forConnections, forMessages, nodes: Math.max(1, forConnections, forMessages) };
}
