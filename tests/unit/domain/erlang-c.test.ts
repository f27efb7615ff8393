import { describe, expect, it } from 'vitest';
import { agentsNeeded, erlangB, probabilityOfWaiting, serviceLevel } from '../../../server/domain/erlang-c.ts';
import { bandwidth, concurrentVisitors, nodesNeeded } from '../../../server/domain/capacity.ts';

describe('Erlang C', () => {
  // Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls in 30 minutes,
  // 180 s average handle time (A = 10 Erlangs), target 80 % answered in 20 s. With 11 agents a call waits with
  // probability 68.21 % and 38.96 % are answered in time; 14 agents are the first to meet the target (88.84 %).
  const traffic = 10;
  it('gives the published probability of waiting and service level of the worked example', () => {
    expect(probabilityOfWaiting(11, traffic)).toBeCloseTo(0.6821, 4);
    expect(serviceLevel(11, traffic, 20, 180)).toBeCloseTo(0.3896, 4);
    expect(serviceLevel(13, traffic, 20, 180)).toBeCloseTo(0.7956, 4);
    expect(probabilityOfWaiting(14, traffic)).toBeCloseTo(0.1741, 4);
    expect(serviceLevel(14, traffic, 20, 180)).toBeCloseTo(0.8884, 4);
  });

  it('finds 14 agents for the worked example from its arrival rate and handle time', () => {
    expect(agentsNeeded(100 / 1800, 180, { share: 0.8, seconds: 20 })).toBe(14);
  });

  it('matches the Erlang B table: 5 Erlangs on 10 lines lose 1.84 %', () => {
    expect(erlangB(10, 5)).toBeCloseTo(0.01838, 5);
  });

  it('stays finite and exact for thousands of agents, where factorials would overflow', () => {
    const waiting = probabilityOfWaiting(2000, 1950);
    expect(Number.isFinite(waiting)).toBe(true);
    expect(waiting).toBeGreaterThan(0);
    expect(waiting).toBeLessThan(1);
    expect(agentsNeeded(1950 / 180, 180, { share: 0.8, seconds: 20 })).toBeGreaterThan(1950);
  });

  it('needs no agent when nothing arrives, and always waits when the agents cannot keep up', () => {
    expect(agentsNeeded(0, 180, { share: 0.8, seconds: 20 })).toBe(0);
    expect(probabilityOfWaiting(10, 10)).toBe(1);
    expect(serviceLevel(9, 10, 20, 180)).toBe(0);
  });
});

describe('capacity arithmetic', () => {
  it('C = n·t/1440: 14,400 visitors a day staying 5 minutes are 50 at once', () => {
    expect(concurrentVisitors(14_400, 5)).toBe(50);
  });

  it('T = s·f: 400-byte messages at 2.5 per second are 1,000 bytes per second', () => {
    expect(bandwidth(400, 2.5)).toBe(1000);
  });

  it('plans each process at (1 − margin) of its measured limits and takes the larger need', () => {
    const limits = { connections: 10_000, messagesPerSecond: 7_000 };
    expect(nodesNeeded({ connections: 15_000, messagesPerSecond: 100 }, limits, 0.3)).toEqual({ forConnections: 3, forMessages: 1, nodes: 3 });
    expect(nodesNeeded({ connections: 10, messagesPerSecond: 10_000 }, limits, 0.3)).toEqual({ forConnections: 1, forMessages: 3, nodes: 3 });
    expect(nodesNeeded({ connections: 0, messagesPerSecond: 0 }, limits, 0.3).nodes).toBe(1);
  });
});
