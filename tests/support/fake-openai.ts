/**
 * An OpenAI-compatible Chat Completions server on 127.0.0.1 for tests: each request gets the next scripted
 * completion (or what `fallback` makes of the request), streamed as server-sent events when the request asks for
 * `stream`, whole otherwise. Every request is recorded, so a test can read the exact prompt the bot sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeCompletion =
  /** A reply, begun after `startDelayMs` (a model loading), streamed in `pieces` (default: word by word) `pieceDelayMs` apart; usage null sends none. */
  | { reply: string; pieces?: string[]; startDelayMs?: number; pieceDelayMs?: number; usage?: { prompt: number; completion: number } | null; finishReason?: string }
  /** A call of the `handoff` tool with this reason. */
  | { handoff: string }
  | { status: number; body?: string }
  /** 200 with the right content type and a body that is not JSON. */
  | 'malformed'
  /** Reply text that never ends, as fast as the client reads it. */
  | 'endless'
  /** Headers and a first piece, then silence until the client gives up. */
  | 'stall'
  /** 200 text/html, as a proxy's error page would. */
  | 'wrong-content-type';

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: {
    model: string;
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
    messages: { role: string; content: string }[];
    tools?: { type: string; function: { name: string; parameters: unknown } }[];
    temperature?: number;
    max_tokens?: number;
  };
}

export interface FakeOpenAi {
  /** The base URL to configure, ending in /v1. */
  baseUrl: string;
  requests: RecordedRequest[];
  script: FakeCompletion[];
  /** Answers 400 to any request offering tools, as Ollama does for a model without tool calling. */
  refuseTools: boolean;
  /** Answers a request when the script is empty. */
  fallback: (request: RecordedRequest) => FakeCompletion;
  close(): Promise<void>;
}

export const DEFAULT_USAGE = { prompt: 321, completion: 12 };

export async function startFakeOpenAi(script: FakeCompletion[] = []): Promise<FakeOpenAi> {
  const fake: FakeOpenAi = {
    baseUrl: '',
    requests: [],
    script: [...script],
    refuseTools: false,
    fallback: () => ({ status: 500, body: 'nothing scripted' }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const request: RecordedRequest = {
      path: req.url ?? '',
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: JSON.parse(await readAll(req)) as RecordedRequest['body'],
    };
    fake.requests.push(request);
    if (req.method !== 'POST' || request.path !== '/v1/chat/completions') return void res.writeHead(404).end('not found');
    if (fake.refuseTools && request.body.tools?.length) {
      const error = { error: { message: `registry.ollama.ai/library/${request.body.model} does not support tools`, type: 'api_error' } };
      return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(error));
    }
    const completion = fake.script.shift() ?? fake.fallback(request);
    if (typeof completion === 'object' && 'startDelayMs' in completion) await new Promise((resolve) => setTimeout(resolve, completion.startDelayMs));
    if (request.body.stream) await stream(res, completion, request);
    else whole(res, completion, request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

function whole(res: ServerResponse, completion: FakeCompletion, request: RecordedRequest): void {
  if (typeof completion === 'object' && 'status' in completion) return void res.writeHead(completion.status, { 'content-type': 'text/plain' }).end(completion.body ?? '');
  if (completion === 'wrong-content-type') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
  if (completion === 'malformed') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [{"message": ');
  if (completion === 'endless' || completion === 'stall') return void res.writeHead(200, { 'content-type': 'application/json' }).write('{"choices": [');
  const message =
    'handoff' in completion
      ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'handoff', arguments: JSON.stringify({ reason: completion.handoff }) } }] }
      : { role: 'assistant', content: completion.reply };
  const usage = usageOf(completion);
  const finishReason = 'handoff' in completion ? 'tool_calls' : (completion.finishReason ?? 'stop');
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: request.body.model, choices: [{ index: 0, message, finish_reason: finishReason }], usage }),
  );
}

async function stream(res: ServerResponse, completion: FakeCompletion, request: RecordedRequest): Promise<void> {
  if (typeof completion === 'object' && 'status' in completion) return void res.writeHead(completion.status, { 'content-type': 'text/plain' }).end(completion.body ?? '');
  if (completion === 'wrong-content-type') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: object, finishReason: string | null = null) =>
    send(res, { id: 'chatcmpl-1', object: 'chat.completion.chunk', model: request.body.model, choices: [{ index: 0, delta, finish_reason: finishReason }] });
  if (completion === 'malformed') return void res.end('data: {"choices": [{"delta": {"content": "Hel\n\n');
  if (completion === 'stall') return void chunk({ role: 'assistant', content: 'Let me' });
  if (completion === 'endless') {
    // A batch at a time, yielding between batches as a model server in its own process would, until the client hangs up.
    const pump = () => {
      if (res.destroyed) return;
      let open = true;
      for (let i = 0; i < 50 && open; i++) open = chunk({ content: 'and more ' });
      if (open) setImmediate(pump);
      else res.once('drain', pump);
    };
    return pump();
  }
  chunk({ role: 'assistant', content: '' });
  if ('handoff' in completion) {
    const args = JSON.stringify({ reason: completion.handoff });
    chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'handoff', arguments: '' } }] });
    // Arguments arrive in fragments, as real servers send them.
    for (const part of [args.slice(0, 5), args.slice(5)]) chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] });
    chunk({}, 'tool_calls');
  } else {
    for (const piece of completion.pieces ?? completion.reply.split(/(?<= )/)) {
      if (completion.pieceDelayMs) await new Promise((resolve) => setTimeout(resolve, completion.pieceDelayMs));
      if (res.destroyed) return;
      chunk({ content: piece });
    }
    chunk({}, completion.finishReason ?? 'stop');
  }
  const usage = usageOf(completion);
  if (request.body.stream_options?.include_usage && usage) send(res, { id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [], usage });
  res.end('data: [DONE]\n\n');
}

function send(res: ServerResponse, data: object): boolean {
  return res.write(`data: ${JSON.stringify(data)}\n\n`);
}

/** The usage a completion reports: its own, none when it says null, DEFAULT_USAGE otherwise. */
function usageOf(completion: { reply: string; usage?: { prompt: number; completion: number } | null } | { handoff: string }) {
  const usage = 'reply' in completion && completion.usage !== undefined ? completion.usage : DEFAULT_USAGE;
  return usage ? { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion } : undefined;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
