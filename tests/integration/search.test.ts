import { describe, expect, it } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import { backends, clientId, connectAgent, connectVisitor, createAgent, ok, useSharedServer, type TestServer } from '../support/parley.ts';

describe.each(backends)('search on %s', (backend) => {
  let server: TestServer;
  useSharedServer((started) => (server = started), backend);

  it('matches % and _ literally, not as LIKE wildcards', async () => {
    const agent = await connectAgent(server, await createAgent(server, `sam-${backend}`));
    const said = async (body: string) => {
      const visitor = await connectVisitor(server);
      return (await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body })).conversation.id;
    };
    const percent = await said('Is the 50% discount real?');
    await said('I bought 500 items');
    const underscore = await said('my login is a_b');
    await said('my login is axb');
    const backslash = await said('back\\slash');
    const search = async (query: string) => (await ok<{ id: string }[]>(agent.socket, 'conversation:search', { query })).map((c) => c.id);
    expect(await search('50%')).toEqual([percent]);
    expect(await search('a_b')).toEqual([underscore]);
    expect(await search('%')).toEqual([percent]);
    expect(await search('_')).toEqual([underscore]);
    expect(await search('BACK\\SLASH')).toEqual([backslash]);
  });
});
