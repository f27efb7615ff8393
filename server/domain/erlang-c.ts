/**
 * Erlang C: how many agents a queue needs so that a share of arrivals waits no longer than a target.
 *
 * Traffic A (Erlangs) = arrival rate × average handle time. The probability of waiting C(N, A) is computed from
 * Erlang B with its recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)), then C = N·B / (N − A·(1 − B)): no
 * factorials or powers, so it stays exact to double precision for thousands of agents.
 */

/** Erlang B: the probability that all N servers are busy in a loss system offered A Erlangs. */
export function erlangB(agents: number, traffic: number): number {
  let blocking = 1;
  for (let n = 1; n <= agents; n++) blocking = (traffic * blocking) / (n + traffic * blocking);
  return blocking;
}

/** Erlang C: the probability that an arrival waits at all; 1 when the agents cannot keep up (N ≤ A). */
export function probabilityOfWaiting(agents: number, traffic: number): number {
  if (traffic <= 0) return 0;
  if (agents <= traffic) return 1;
  const blocking = erlangB(agents, traffic);
  return (agents * blocking) / (agents - traffic * (1 - blocking));
}

/** P(wait ≤ t) = 1 − C·e^(−(N−A)·t/AHT): the share answered within `targetSeconds`. */
export function serviceLevel(agents: number, traffic: number, targetSeconds: number, handleSeconds: number): number {
  if (traffic <= 0) return 1;
  if (agents <= traffic) return 0;
  return 1 - probabilityOfWaiting(agents, traffic) * Math.exp((-(agents - traffic) * targetSeconds) / handleSeconds);
}

export interface ServiceTarget {
  /** Share to answer in time, 0 < share < 1 (0.8 for 80 %). */
  share: number;
  /** Within this many seconds. */
  seconds: number;
}

/** The smallest N > A whose service level meets the target; 0 when nothing arrives. */
export function agentsNeeded(arrivalsPerSecond: number, handleSeconds: number, target: ServiceTarget): number {
  const traffic = arrivalsPerSecond * handleSeconds;
  if (traffic <= 0) return 0;
  let agents = Math.floor(traffic) + 1;
  while (serviceLevel(agents, traffic, target.seconds, handleSeconds) < target.share) agents++;
  return agents;
}
