/**
 * The OpenAPI 3.1 document of /api/v1, built from the zod schemas the routes parse with (requests) and the zod
 * mirrors of the answers (responses.ts), through zod 4's own JSON Schema output (draft 2020-12, as OpenAPI 3.1 uses).
 */
import { z } from 'zod';
import { API_SCOPES, type ApiScope } from '../../contract/api-keys.ts';
import * as admin from '../../validation/admin.ts';
import { reportQuery } from '../admin-routes.ts';
// Registers the Report, Site(s), Agent(s) and InviteResult answers in responseSchemas.
import './admin-responses.ts';
import { responseSchemas } from './responses.ts';
import * as schemas from './schemas.ts';

const requestSchemas = z.registry<{ id: string }>();
requestSchemas.add(schemas.postMessage, { id: 'PostMessage' });
requestSchemas.add(schemas.postNote, { id: 'PostNote' });
requestSchemas.add(schemas.labels, { id: 'Labels' });
requestSchemas.add(schemas.transfer, { id: 'Transfer' });
requestSchemas.add(schemas.visitorAttributes, { id: 'VisitorAttributes' });
requestSchemas.add(admin.createSite, { id: 'CreateSite' });
requestSchemas.add(admin.updateSite, { id: 'UpdateSite' });
requestSchemas.add(admin.createAgent, { id: 'CreateAgent' });
requestSchemas.add(admin.updateAgent, { id: 'UpdateAgent' });

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch';
  path: string;
  summary: string;
  scope: ApiScope;
  query?: z.ZodObject;
  /** A JSON body by its schema's name, or FILE: the raw bytes of a file, named in X-File-Name. */
  body?: string;
  /** The JSON answer's schema name, or FILE: a file download of the type its bytes say. */
  response: string;
  status?: 200 | 201;
  /** Also answers CSV (text/csv, an attachment) when the query asks for format=csv. */
  csv?: true;
}

const FILE = 'file';

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
  { method: 'post', path: `${conversation}/assign`, summary: "Assigns a queued conversation to a named agent who serves its site, is connected (online or away) and has room; assigning to someone else takes a key acting as an admin", scope: 'conversations:write', body: 'Transfer', response: 'Conversation' },
  action('claim', "Assigns a queued conversation to the key's agent"),
  action('unassign', 'Puts the conversation back in the queue'),
  action('handoff', "A bot's key: gives the conversation it holds to people, back in the queue at the visitor's place"),
  action('resolve', 'Resolves the conversation'),
  action('reopen', 'Reopens a resolved conversation'),
  { method: 'get', path: `${conversation}/attachments`, summary: 'Files sent in the conversation, oldest first', scope: 'conversations:read', response: 'ConversationAttachments' },
  { method: 'post', path: `${conversation}/attachments`, summary: "Uploads a file (raw body, name in X-File-Name, at most 10 MiB, type decided by its bytes) as the key's agent; send it with POST …/messages attachmentIds", scope: 'conversations:write', body: FILE, response: 'Attachment', status: 201 },
  { method: 'get', path: `${conversation}/attachments/{attachmentId}`, summary: 'Downloads a file sent in the conversation (always as an attachment)', scope: 'conversations:read', response: FILE },
  { method: 'get', path: '/visitors/{id}', summary: 'A visitor of a site the key reaches', scope: 'visitors:read', response: 'Visitor' },
  { method: 'patch', path: '/visitors/{id}', summary: "Merges attributes into the visitor's (null removes one); past the caps: LIMIT_EXCEEDED", scope: 'visitors:write', body: 'VisitorAttributes', response: 'Visitor' },
  { method: 'get', path: '/reports', summary: "The console's report: volume, wait, first response, resolution, ratings (keys acting as an admin); format=csv for the console's CSV", scope: 'reports:read', query: reportQuery, response: 'Report', csv: true },
  { method: 'get', path: '/sites', summary: 'Sites the key reaches (keys acting as an admin)', scope: 'admin', response: 'Sites' },
  { method: 'post', path: '/sites', summary: 'Creates a site (keys for all sites, acting as an admin)', scope: 'admin', body: 'CreateSite', response: 'Site', status: 201 },
  { method: 'get', path: '/sites/{id}', summary: 'A site with its identity secret and snippet', scope: 'admin', response: 'Site' },
  { method: 'patch', path: '/sites/{id}', summary: 'Changes a site; widgetSettings merge one level deep', scope: 'admin', body: 'UpdateSite', response: 'Site' },
  { method: 'post', path: '/sites/{id}/rotate-secret', summary: 'A new identity secret: hashes signed with the old one stop verifying at once', scope: 'admin', response: 'Site' },
  { method: 'post', path: '/sites/{id}/rotate-visitor-key', summary: 'Refuses every visitor token of the site handed out so far', scope: 'admin', response: 'Site' },
  { method: 'get', path: '/agents', summary: 'Agents of the sites the key reaches (keys acting as an admin)', scope: 'admin', response: 'Agents' },
  { method: 'post', path: '/agents', summary: 'Creates an agent; without a password the answer carries a one-time invitation link (a site key: an agent of its site)', scope: 'admin', body: 'CreateAgent', response: 'InviteResult', status: 201 },
  { method: 'patch', path: '/agents/{id}', summary: "Changes an agent's name, role, capacity, sites or avatar, or deactivates them (their chats go back to the queue)", scope: 'admin', body: 'UpdateAgent', response: 'Agent' },
  { method: 'post', path: '/agents/{id}/invite', summary: 'A fresh one-time link for the agent to set a password', scope: 'admin', response: 'InviteResult' },
];

/** Any of these can answer any operation, always as the Error schema. */
const ERROR_STATUSES = { 400: 'Invalid request', 401: 'Missing, malformed, unknown, expired or revoked API key', 403: 'The key lacks the scope, acts as an agent where an admin is needed, or reaches beyond its one site', 404: 'No such thing within the key\u2019s reach', 409: 'The state does not allow it (ALREADY_ASSIGNED, AGENT_AT_CAPACITY, AGENT_UNAVAILABLE, CONFLICT…)', 413: 'Body over its limit: 64 KiB of JSON, 10 MiB for a file', 429: 'Over the key\u2019s rate limit: retry after retryAfterMs', 503: 'Database unavailable' };

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

/** Any bytes: files go as they are, their type said by the Content-Type header. */
const file = { '*/*': { schema: {} } };

function operation(op: Operation) {
  const pathIds = [...op.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const parameters = [
    ...pathIds.map((name) => ({ name, in: 'path', required: true, schema: placed(z.toJSONSchema(schemas.pathId)) })),
    ...(op.body === FILE ? [{ name: 'X-File-Name', in: 'header', required: false, description: 'The file name, percent-encoded', schema: { type: 'string' } }] : []),
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
    ...(op.body && { requestBody: { required: true, content: op.body === FILE ? file : json(op.body) } }),
    responses: {
      [op.status ?? 200]: {
        description: op.status === 201 ? 'Created' : 'OK',
        content: op.response === FILE ? file : { ...json(op.response), ...(op.csv && { 'text/csv': { schema: { type: 'string' } } }) },
      },
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
