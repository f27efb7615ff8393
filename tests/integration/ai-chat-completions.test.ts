/** The Chat Completions client against a real HTTP server on loopback: answers, tool calls, and every way of failing. */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatCompletionError, completeChat, DEFAULT_CHAT_LIMITS, streamChat, type ChatLimits, type ChatRequest } from '../../server/bots/ai/chat-completions.ts';
import { HANDOFF_TOOL } from '../../server/bots/ai/prompt.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';

let fake: FakeOpenAi;
beforeAll(async () => (fake = await startFakeOpenAi()));
afterAll(() => fake.close());

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, maxTokens: 300, tools: [HANDOFF_TOOL] };
const endpoint = () => ({ baseUrl: fake.baseUrl, model: 'llama3.2:3b', apiKey: 'sk-test' });
const limits: ChatLimits = { ...DEFAULT_CHAT_LIMITS, idleTimeoutMs: 5_000 };

async function failure(call: Promise<unknown>): Promise<ChatCompletionError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ChatCompletionError);
  return error as ChatCompletionError;
}

const streamed = (extra: Partial<Parameters<typeof streamChat>[2]> = {}) => {
  const pieces: string[] = [];
  return { pieces, call: () => streamChat(endpoint(), request, { signal: new AbortController().signal, limits, onText: (p) => pieces.push(p), ...extra }) };
};

describe('Chat Completions client', () => {
  it('streams a reply piece by piece and reads the usage sent after it', async () => {
    fake.script.push({ reply: 'Refunds take five days [1].', usage: { prompt: 250, completion: 9 } });
    const { pieces, call } = streamed();
    const result = await call();
    expect(pieces).toEqual(['Refunds ', 'take ', 'five ', 'days ', '[1].']);
    expect(result).toEqual({ text: 'Refunds take five days [1].', toolCalls: [], usage: { promptTokens: 250, completionTokens: 9 }, finishReason: 'stop' });
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body).toMatchObject({ model: 'llama3.2:3b', stream: true, stream_options: { include_usage: true }, temperature: 0.2, max_tokens: 300 });
    expect(sent.body.tools?.map((t) => t.function.name)).toEqual(['handoff']);
  });

  it('joins a streamed tool call from its fragments', async () => {
    fake.script.push({ handoff: 'wants a person' });
    const result = await streamed().call();
    expect(result.toolCalls).toEqual([{ name: 'handoff', arguments: '{"reason":"wants a person"}' }]);
    expect(result.finishReason).toBe('tool_calls');
  });

  it('reads a whole answer, tool call included, and sends no key when none is set', async () => {
    fake.script.push({ reply: 'Hello there.' }, { handoff: 'not in the articles' });
    const plain = await completeChat({ ...endpoint(), apiKey: null }, request, { signal: new AbortController().signal, limits });
    expect(plain).toEqual({ text: 'Hello there.', toolCalls: [], usage: { promptTokens: 321, completionTokens: 12 }, finishReason: 'stop' });
    expect(fake.requests.at(-1)!.headers.authorization).toBeUndefined();
    expect(fake.requests.at(-1)!.body.stream).toBe(false);
    const tool = await completeChat(endpoint(), request, { signal: new AbortController().signal, limits });
    expect(tool.toolCalls).toEqual([{ name: 'handoff', arguments: '{"reason":"not in the articles"}' }]);
  });

  it('answers a stream without usage when the server sends none', async () => {
    fake.script.push({ reply: 'Fine.', usage: null });
    expect((await streamed().call()).usage).toBeUndefined();
  });

  it('turns a 500 into a status error carrying the code', async () => {
    fake.script.push({ status: 500, body: 'model crashed' });
    const error = await failure(streamed().call());
    expect([error.code, error.status, error.message]).toEqual(['status', 500, 'answered 500: model crashed']);
  });

  it('reads only the start of a large error answer', async () => {
    fake.script.push({ status: 502, body: `<html>${'x'.repeat(2_000_000)}</html>` });
    const error = await failure(streamed().call());
    expect([error.code, error.status]).toEqual(['status', 502]);
    expect(error.message).toBe(`answered 502: <html>${'x'.repeat(194)}`);
  });

  it('turns malformed JSON into a malformed error, streamed or whole', async () => {
    fake.script.push('malformed', 'malformed');
    expect((await failure(streamed().call())).code).toBe('malformed');
    expect((await failure(completeChat(endpoint(), request, { signal: new AbortController().signal, limits }))).code).toBe('malformed');
  });

  it('refuses an answer of the wrong content type', async () => {
    fake.script.push('wrong-content-type');
    const error = await failure(streamed().call());
    expect([error.code, error.message]).toEqual(['content-type', 'answered text/html, expected text/event-stream']);
  });

  it('cuts an endless stream at the character cap', async () => {
    fake.script.push('endless');
    const { pieces, call } = streamed({ limits: { ...limits, maxStreamedChars: 2_000 } });
    const error = await failure(call());
    expect(error.code).toBe('too-large');
    expect(pieces.join('').length).toBeLessThanOrEqual(2_000);
  });

  it('cuts a whole answer at the byte cap', async () => {
    fake.script.push({ reply: 'x'.repeat(50_000) });
    const error = await failure(completeChat(endpoint(), request, { signal: new AbortController().signal, limits: { ...limits, maxResponseBytes: 10_000 } }));
    expect(error.code).toBe('too-large');
  });

  it('gives up on a stream that stalls after its first piece', async () => {
    fake.script.push('stall');
    const { pieces, call } = streamed({ limits: { ...limits, idleTimeoutMs: 400 } });
    const error = await failure(call());
    expect([error.code, error.message]).toEqual(['idle', 'no data for 400 ms']);
    expect(pieces).toEqual(['Let me']);
  });

  it('waits past the idle limit for the answer to begin (a model loading), bounded by the signal only', async () => {
    fake.script.push({ reply: 'Loaded.', startDelayMs: 700 });
    const { call } = streamed({ limits: { ...limits, idleTimeoutMs: 300 } });
    expect((await call()).text).toBe('Loaded.');
  });

  it('reports a server that is not listening as unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const error = await failure(streamChat({ ...endpoint(), baseUrl: `http://127.0.0.1:${port}/v1` }, request, { signal: new AbortController().signal, limits, onText: () => {} }));
    expect(error.code).toBe('unreachable');
  });

  it("passes the caller's abort through as it is", async () => {
    fake.script.push('stall');
    const controller = new AbortController();
    const reason = new Error('handed off meanwhile');
    const call = streamChat(endpoint(), request, { signal: controller.signal, limits: { ...limits, idleTimeoutMs: 10_000 }, onText: () => controller.abort(reason) });
    await expect(call).rejects.toBe(reason);
  });
});
