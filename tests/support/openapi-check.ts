/** Checks API answers against the served OpenAPI document with a real JSON Schema 2020-12 validator (ajv). */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ApiAnswer } from './api-v1.ts';

interface Document {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components: { schemas: Record<string, object> };
}

/** One message per answer the document does not describe, or describes otherwise. */
export function undocumented(document: Document, answers: ApiAnswer[]): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The whole document is one schema resource, so the responses' `#/components/schemas/…` refs resolve inside it.
  ajv.addSchema({ ...document, $id: 'openapi.json' } as object, 'openapi.json');
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const problems: string[] = [];
  for (const answer of answers) {
    const where = `${answer.method} ${answer.path} ${answer.status}`;
    const path = templates.find((t) => t.pattern.test(answer.path))?.template;
    const response = path === undefined ? undefined : document.paths[path]?.[answer.method.toLowerCase()]?.responses[String(answer.status)];
    if (path === undefined || !response?.content) {
      problems.push(`${where}: not in the document`);
      continue;
    }
    // Files and CSV are not JSON: the document must name their media type (or any, */*); there is no schema to check.
    if (answer.contentType !== 'application/json') {
      if (!response.content[answer.contentType] && !response.content['*/*']) problems.push(`${where}: ${answer.contentType} not in the document`);
      continue;
    }
    const pointer = `openapi.json#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${answer.method.toLowerCase()}/responses/${answer.status}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer);
    if (!validate) problems.push(`${where}: no schema at ${pointer}`);
    else if (!validate(answer.body)) problems.push(`${where}: ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}
