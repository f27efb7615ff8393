/**
 * A client for `POST {baseUrl}/chat/completions`, the one call every OpenAI-compatible server answers (Ollama,
 * llama.cpp server, vLLM, LM Studio, hosted ones), streamed or not.
 *
 * Written on Node's fetch rather than the `openai` SDK: Parley uses one endpoint and a handful of fields, and what
 * it needs most the SDK does not offer: a cap on the bytes read and on the characters streamed (a model that never
 * stops is cut and counted as a failure), a timeout between two chunks (a server that stalls mid-answer), and one
 * typed error per way a server can fail, so the bot hands off instead of leaving the visitor waiting. The SDK also
 * retries by default, where a visitor waiting is better served by handing off at once.
 */
import { z } from 'zod';
import type { BotUsage } from '../ports.ts';
import { SseDataReader } from './sse.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ChatEndpoint {
  /** Up to the version segment, e.g. http://127.0.0.1:11434/v1 */
  baseUrl: string;
  model: string;
  /** Sent as a Bearer token when set (local servers usually need none). */
  apiKey?: string | null;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  tools?: ChatTool[];
}

export interface ChatLimits {
  /** The most bytes read from one answer, streamed or not. */
  maxResponseBytes: number;
  /** The most characters of reply text a stream may bring; more is an endless stream. */
  maxStreamedChars: number;
  /**
   * The longest wait between two chunks once the answer has begun. The wait for it to begin is bounded by the
   * caller's signal only: a local server may first spend a while loading the model.
   */
  idleTimeoutMs: number;
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = { maxResponseBytes: 2 * 1024 * 1024, maxStreamedChars: 8_000, idleTimeoutMs: 15_000 };

export interface ChatToolCall {
  name: string;
  /** JSON text as the model wrote it (possibly invalid). */
  arguments: string;
}

export interface ChatResult {
  text: string;
  toolCalls: ChatToolCall[];
  usage?: BotUsage;
  finishReason: string | null;
}

export type ChatErrorCode =
  /** The server could not be reached, or the connection broke. */
  | 'unreachable'
  /** Answered outside 2xx (a 3xx too: redirects are not followed). */
  | 'status'
  | 'content-type'
  /** Not JSON, or JSON without the Chat Completions shape, or a stream cut before its end. */
  | 'malformed'
  /** More bytes or streamed characters than the limits allow. */
  | 'too-large'
  | 'idle'
  /** The server reported an error inside a 2xx answer. */
  | 'server-error';

export class ChatCompletionError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ChatCompletionError';
  }
}

export interface ChatCallOptions {
  signal: AbortSignal;
  limits?: ChatLimits;
}

export interface StreamCallOptions extends ChatCallOptions {
  /** Each piece of reply text as it arrives. */
  onText(piece: string): void;
}

// Lenient shapes: servers add fields, and some send nulls where others omit.
const usageSchema = z
  .object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() })
  .nullish()
  .catch(undefined);
const serverErrorSchema = z.union([z.string(), z.object({ message: z.string().optional() }).loose()]).nullish();
const toolCallSchema = z.object({
  index: z.number().int().nonnegative().optional(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).optional(),
});
const chunkSchema = z.object({
  choices: z
    .array(z.object({ delta: z.object({ content: z.string().nullish(), tool_calls: z.array(toolCallSchema).nullish() }).nullish(), finish_reason: z.string().nullish() }))
    .nullish(),
  usage: usageSchema,
  error: serverErrorSchema,
});
const completionSchema = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullish(), tool_calls: z.array(toolCallSchema).nullish() }), finish_reason: z.string().nullish() }))
    .min(1),
  usage: usageSchema,
});

/** One whole answer, not streamed. */
export async function completeChat(endpoint: ChatEndpoint, request: ChatRequest, options: ChatCallOptions): Promise<ChatResult> {
  const limits = options.limits ?? DEFAULT_CHAT_LIMITS;
  return withIdleTimeout(options.signal, limits.idleTimeoutMs, async (signal, touch) => {
    const response = await post(endpoint, request, false, signal);
    touch();
    expectContentType(response, 'application/json');
    const raw = await readCapped(response, limits.maxResponseBytes, touch);
    const parsed = completionSchema.safeParse(parseJson(raw));
    if (!parsed.success) throw new ChatCompletionError('malformed', `not a chat completion: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`);
    const [choice] = parsed.data.choices;
    return {
      text: choice!.message.content ?? '',
      toolCalls: (choice!.message.tool_calls ?? []).map((call) => ({ name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' })),
      usage: toUsage(parsed.data.usage),
      finishReason: choice!.finish_reason ?? null,
    };
  });
}

/** One answer streamed as server-sent events, its text passed on piece by piece; resolves when the stream ends. */
export async function streamChat(endpoint: ChatEndpoint, request: ChatRequest, options: StreamCallOptions): Promise<ChatResult> {
  const limits = options.limits ?? DEFAULT_CHAT_LIMITS;
  return withIdleTimeout(options.signal, limits.idleTimeoutMs, async (signal, touch) => {
    const response = await post(endpoint, request, true, signal);
    touch();
    expectContentType(response, 'text/event-stream');
    const stream = new ChunkAccumulator(limits.maxStreamedChars, options.onText);
    const events = new SseDataReader(limits.maxResponseBytes);
    const decoder = new TextDecoder();
    let bytes = 0;
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        touch();
        const decoded = done ? events.end() : events.push(decoder.decode(value, { stream: true }));
        for (const data of decoded) if (stream.add(data)) return stream.result();
        if (done) return stream.endedWithoutDone();
        bytes += value.byteLength;
        if (bytes > limits.maxResponseBytes) throw new ChatCompletionError('too-large', `answer over ${limits.maxResponseBytes} bytes`);
      }
    } catch (error) {
      throw error instanceof RangeError ? new ChatCompletionError('too-large', error.message) : error;
    } finally {
      // Stops reading (and closes the connection) when the answer ends early, is refused or is cut.
      reader.cancel().catch(() => {});
    }
  });
}

/** Builds the reply from the stream's chunks, tool-call fragments joined by their index. */
class ChunkAccumulator {
  private text = '';
  private readonly calls = new Map<number, ChatToolCall>();
  private usage?: BotUsage;
  private finishReason: string | null = null;

  constructor(
    private readonly maxChars: number,
    private readonly onText: (piece: string) => void,
  ) {}

  /** Answers true at `[DONE]`. */
  add(data: string): boolean {
    if (data.trim() === '[DONE]') return true;
    const parsed = chunkSchema.safeParse(parseJson(data));
    if (!parsed.success) throw new ChatCompletionError('malformed', `not a chat completion chunk: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`);
    const chunk = parsed.data;
    if (chunk.error) throw new ChatCompletionError('server-error', typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'error in stream'));
    this.usage = toUsage(chunk.usage) ?? this.usage;
    for (const choice of chunk.choices ?? []) {
      this.finishReason = choice.finish_reason ?? this.finishReason;
      const piece = choice.delta?.content;
      if (piece) {
        this.text += piece;
        if (this.text.length > this.maxChars) throw new ChatCompletionError('too-large', `reply over ${this.maxChars} characters`);
        this.onText(piece);
      }
      for (const fragment of choice.delta?.tool_calls ?? []) {
        const index = fragment.index ?? 0;
        const call = this.calls.get(index) ?? { name: '', arguments: '' };
        call.name += fragment.function?.name ?? '';
        call.arguments += fragment.function?.arguments ?? '';
        if (call.arguments.length > this.maxChars) throw new ChatCompletionError('too-large', `tool call over ${this.maxChars} characters`);
        this.calls.set(index, call);
      }
    }
    return false;
  }

  /** A stream that closes without `[DONE]` still counts when the model said it had finished; otherwise it was cut. */
  endedWithoutDone(): ChatResult {
    if (this.finishReason === null) throw new ChatCompletionError('malformed', 'stream ended before the answer did');
    return this.result();
  }

  result(): ChatResult {
    return { text: this.text, toolCalls: [...this.calls.values()], usage: this.usage, finishReason: this.finishReason };
  }
}

async function post(endpoint: ChatEndpoint, request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<Response> {
  const body = {
    model: endpoint.model,
    messages: request.messages,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
    ...(request.tools?.length ? { tools: request.tools, tool_choice: 'auto' } : {}),
  };
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
  let response: Response;
  try {
    // A redirect is not followed: the admin named this server, and a hop elsewhere would carry the key along.
    response = await fetch(`${endpoint.baseUrl.replace(/\/+$/, '')}/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body), signal, redirect: 'manual' });
  } catch (error) {
    if (signal.aborted) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ChatCompletionError('unreachable', cause?.code ?? cause?.message ?? (error as Error).message);
  }
  if (response.status < 200 || response.status >= 300) {
    const snippet = await firstChars(response, 200);
    throw new ChatCompletionError('status', `answered ${response.status}${snippet ? `: ${snippet}` : ''}`, response.status);
  }
  return response;
}

function expectContentType(response: Response, expected: string): void {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== expected) {
    response.body?.cancel().catch(() => {});
    throw new ChatCompletionError('content-type', `answered ${type || 'no content type'}, expected ${expected}`);
  }
}

async function readCapped(response: Response, maxBytes: number, touch: () => void): Promise<string> {
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      touch();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) throw new ChatCompletionError('too-large', `answer over ${maxBytes} bytes`);
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The start of an error answer, for the log; the rest is not read (an error page can be any size). */
async function firstChars(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < max * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.byteLength;
    }
  } catch {
    // A broken error answer still tells its status.
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, max);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ChatCompletionError('malformed', `not JSON: ${text.slice(0, 80)}`);
  }
}

function toUsage(usage: { prompt_tokens: number; completion_tokens: number } | null | undefined): BotUsage | undefined {
  return usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } : undefined;
}

/**
 * Runs `work` with a signal that also aborts when, once `touch` was first called, it has not been called again for
 * `idleMs` (the server went quiet).
 * The caller's own abort passes through as is; a quiet server becomes an `idle` error; a broken connection `unreachable`.
 */
async function withIdleTimeout<T>(signal: AbortSignal, idleMs: number, work: (signal: AbortSignal, touch: () => void) => Promise<T>): Promise<T> {
  const idle = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new ChatCompletionError('idle', `no data for ${idleMs} ms`)), idleMs);
  };
  try {
    return await work(AbortSignal.any([signal, idle.signal]), touch);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (idle.signal.aborted) throw idle.signal.reason;
    if (error instanceof ChatCompletionError) throw error;
    throw new ChatCompletionError('unreachable', (error as Error).message || String(error));
  } finally {
    clearTimeout(timer);
  }
}
