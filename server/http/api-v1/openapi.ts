/**
 * The OpenAPI 3.1 document of /api/v1, built from the zod schemas the routes parse with (requests) and the zod
 * mirrors of the answers (responses.ts), through zod 4's own JSON Schema output (draft 2020-12, as OpenAPI 3.1 uses).
 */
import { z } from 'zod';
import { API_SCOPES, type ApiScope } from '../../contract/api-keys.ts';
import { reportQuery } from '../admin-routes.ts';
// Registers the Report, Sites and Agents answers in responseSchemas.
import './admin-responses.ts';
import { responseSchemas } from './responses.ts';
import * as schemas from './schemas.ts';

const requestSchemas = z.registry<{ id: string }>();
requestSchemas.add(schemas.postMessage, { id: 'PostMessage' });
requestSchemas.add(schemas.postNote, { id: 'PostNote' });
requestSchemas.add(schemas.labels, { id: 'Labels' });
requestSchemas.add(schemas.transfer, { id: 'Transfer' });
requestSchemas.add(schemas.visitorAttributes, { id: 'VisitorAttributes' });

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch';
  path: string;
  summary: string;
  scope: ApiScope;
  query?: z.ZodObject;
  body?: string;
  response: string;
}

const conversation = '/conversations/{id}';
const action = (name: string, summary: string): Operation => ({ method: 'post', path: `${conversation}/${name}`, summary, scope: 'conversations:write', response: 'Conversation' });

const OPERATIONS: Operation[] = [
  { method: 'get', path: '/conversations', summary: 'Conversations by last change, oldest first; follow nextCursor for more', scope: 'conversations:read', query: schemas.conversationListQuery, response: 'ConversationPage' },
  { method: 'get', path: conversation, summary: 'A conversation with its visitor, pages and earlier conversations', scope: 'conversations:read', response: 'ConversationDetail' },
  { method: 'get', path: `${conversation}/messages`, summary: 'Messages by seq (afterSeq: the ones after it)', scope: 'conversations:read', query: schemas.messageListQuery, response: 'HistoryPage' },
  { method: 'post', path: `${conversation}/messages`, summary: "A reply as the key's agent; a retry with the same clientId answers the stored message", scope: 'conversations:write', body: 'PostMessage', response: 'SendResult' },
  { method: 'post', path: `${conversation}/notes`, summary: 'An internal note, which visitors never see', scope: 'conversations:write', body: 'PostNote', response: 'SendResult' },
  { method: 'put', path: `${conversation}/labels`, summary: "Replaces the conversation's labels", scope: 'conversations:write', body: 'Labels', response: 'ConversationSummary' },
  { method: 'post', path: `${conversation}/transfer`, summary: 'Hands the conversation to another agent', scope: 'conversations:write', body: 'Transfer', response: 'Conversation' },
  action('claim', "Assigns a queued conversation to the key's agent"),
  action('unassign', 'Puts the conversation back in the queue'),
  action('handoff', "A bot's key: gives the conversation it holds to people, back in the queue at the visitor's place"),
  action('resolve', 'Resolves the conversation'),
  action('reopen', 'Reopens a resolved conversation'),
  { method: 'get', path: '/visitors/{id}', summary: 'A visitor of a site the key reaches', scope: 'visitors:read', response: 'Visitor' },
  { method: 'patch', path: '/visitors/{id}', summary: "Merges attributes into the visitor's (null removes one); past the caps: LIMIT_EXCEEDED", scope: 'visitors:write', body: 'VisitorAttributes', response: 'Visitor' },
  { method: 'get', path: '/reports', summary: "The console's report: volume, wait, first response, resolution, ratings (keys acting as an admin)", scope: 'reports:read', query: reportQuery, response: 'Report' },
  { method: 'get', path: '/sites', summary: 'Sites the key reaches (keys acting as an admin)', scope: 'admin', response: 'Sites' },
  { method: 'get', path: '/agents', summary: 'Agents of the sites the key reaches (keys acting as an admin)', scope: 'admin', response: 'Agents' },
];

/** Any of these can answer any operation, always as the Error schema. */
const ERROR_STATUSES = { 400: 'Invalid request', 401: 'Missing, malformed, unknown, expired or revoked API key', 403: 'The key lacks the scope', 404: 'No such thing within the key\u2019s reach', 409: 'The conversation is not in a state that allows it', 413: 'Body over 64 KiB', 429: 'Over the key\u2019s rate limit: retry after retryAfterMs', 503: 'Database unavailable' };

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const uri = (id: string) => `#/components/schemas/${id}`;

/** Within an OpenAPI document a schema is placed, not a resource: no `$schema`, and no `$id` (its place is its name). */
function placed(schema: object): object {
  const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}
const components = (registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output') =>
  Object.fromEntries(Object.entries(z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri }).schemas).map(([id, schema]) => [id, placed(schema)]));

function operation(op: Operation) {
  const parameters = [
    ...(op.path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, schema: placed(z.toJSONSchema(schemas.pathId)) }] : []),
    ...Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: !(schema as z.ZodType).safeParse(undefined).success,
      schema: placed(z.toJSONSchema(schema as z.ZodType, { io: 'input', target: 'draft-2020-12' })),
    })),
  ];
  return {
    summary: op.summary,
    security: [{ apiKey: [] }],
    'x-scope': op.scope,
    ...(parameters.length > 0 && { parameters }),
    ...(op.body && { requestBody: { required: true, content: json(op.body) } }),
    responses: {
      200: { description: 'OK', content: json(op.response) },
      ...Object.fromEntries(Object.entries(ERROR_STATUSES).map(([status, description]) => [status, { description, content: json('Error') }])),
    },
  };
}

export function openApiDocument(): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley REST API',
      version: '1',
      description: `Authenticate with \`Authorization: Bearer pk_…\` (an API key an admin created). Scopes: ${API_SCOPES.join(', ')} (admin carries all). Every error is \`{ "error": { "code", "message" } }\`.`,
    },
    servers: [{ url: '/api/v1' }],
    paths,
    components: { schemas: { ...components(requestSchemas, 'input'), ...components(responseSchemas, 'output') }, securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
  };
}
