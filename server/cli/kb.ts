/**
 * `cli kb import --site KEY DIR`, `kb list --site KEY`, `kb delete --site KEY --slug S`,
 * `kb eval add --site KEY --question Q --article SLUG`, `kb eval list|run --site KEY`, `kb eval delete --site KEY --id ID`:
 * the console's knowledge-base use cases from the command line (a run asks the site's AI bot too, as the console's does).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../app/errors.ts';
import { KnowledgeBase } from '../app/knowledge-base/articles.ts';
import { KnowledgeBaseEvaluation } from '../app/knowledge-base/evaluation.ts';
import { importArticles } from '../app/knowledge-base/import.ts';
import type { Store } from '../app/ports.ts';
import { siteAnswerEvaluator } from '../bots/ai/site-evaluation.ts';
import { BotKinds } from '../bots/registry.ts';
import { openAiKind } from '../bots/wiring.ts';
import type { EvalAiRowDTO } from '../contract/knowledge-base.ts';
import { wallClock } from '../domain/clock.ts';
import { evalQuestionRequest, slug } from '../validation/knowledge-base.ts';
import { id } from '../validation/primitives.ts';
import { parse } from '../validation/parse.ts';
import { siteByKey } from './site-by-key.ts';

/** The model server's failures are in each row's outcome; their details go to stderr, leaving stdout to the answer. */
const stderrLog = {
  info() {},
  warn: (obj: object, msg?: string) => void process.stderr.write(`${msg ?? ''} ${JSON.stringify(obj)}\n`),
  error: (obj: object, msg?: string) => void process.stderr.write(`${msg ?? ''} ${JSON.stringify(obj)}\n`),
};

export const KB_USAGE = `  cli kb import --site KEY DIR [--json]     (one Markdown file per article, the file name is the slug)
  cli kb list --site KEY [--json]
  cli kb delete --site KEY --slug SLUG [--json]
  cli kb eval add --site KEY --question TEXT --article SLUG [--json]
  cli kb eval list|run --site KEY [--json]     (run asks the site's enabled openai bot each question too)
  cli kb eval delete --site KEY --id ID [--json]`;

const MARKDOWN = /\.(md|markdown)$/i;

const aiOutcome = (ai: EvalAiRowDTO) =>
  ai.outcome === 'answered' ? (ai.citedExpected ? 'answered, cited' : 'answered, not cited') : ai.outcome === 'handed-off' ? `handed off (${ai.handoffReason})` : 'no answer';

export async function kbCommand(args: string[], store: Store, baseUrl: string): Promise<string> {
  const evalVerb = args[0] === 'eval' ? args[1] : undefined;
  const verb = evalVerb === undefined ? args[0] : `eval ${evalVerb}`;
  const { values, positionals } = parseArgs({
    args: args.slice(evalVerb === undefined ? 1 : 2),
    options: {
      site: { type: 'string' },
      slug: { type: 'string' },
      id: { type: 'string' },
      question: { type: 'string' },
      article: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (!values.site) throw new AppError('BAD_REQUEST', `--site is required\n${KB_USAGE}`);
  const site = await siteByKey(store.sites, values.site);
  const kb = new KnowledgeBase({ sites: store.sites, knowledgeBase: store.knowledgeBase, baseUrl: () => baseUrl });
  // The site's AI bot answers as the server's would: same kind, same knowledge base.
  const kinds = new BotKinds().register('openai', openAiKind(kb, { clock: wallClock, log: stderrLog }));
  const evaluation = new KnowledgeBaseEvaluation(kb, store.knowledgeBase, kb, siteAnswerEvaluator(store.bots, (bot) => kinds.responder(bot)));
  const out = (json: unknown, text: string) => (values.json ? JSON.stringify(json) : text);

  switch (verb) {
    case 'import': {
      const dir = positionals[0];
      if (!dir) throw new AppError('BAD_REQUEST', `kb import needs a directory\n${KB_USAGE}`);
      const names = readdirSync(dir).filter((name) => MARKDOWN.test(name)).sort();
      const files = names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
      const report = await importArticles(kb, store.knowledgeBase, site.id, files);
      const failed = report.failed.map((f) => `\n  ${f.file}: ${f.message}`).join('');
      return out(report, `${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.failed.length} failed${failed}`);
    }
    case 'list': {
      const articles = await kb.list(site.id);
      return out(articles, articles.map((a) => `${a.slug}\t${a.published ? 'published' : 'draft'}\t${a.title}`).join('\n'));
    }
    case 'delete': {
      await kb.deleteBySlug(site.id, parse(slug, values.slug));
      return out({ deleted: values.slug }, `Deleted ${values.slug}`);
    }
    case 'eval add': {
      const question = await evaluation.add(site.id, parse(evalQuestionRequest, { question: values.question, articleSlug: values.article }));
      return out(question, `Added question ${question.id}`);
    }
    case 'eval list': {
      const questions = await evaluation.list(site.id);
      return out(questions, questions.map((q) => `${q.id}\t${q.articleSlug}\t${q.question}`).join('\n'));
    }
    case 'eval delete': {
      await evaluation.delete(site.id, parse(id, values.id));
      return out({ deleted: values.id }, `Deleted question ${values.id}`);
    }
    case 'eval run': {
      const report = await evaluation.run(site.id);
      const lines = report.rows.map((r) => [r.hit ? 'hit ' : 'miss', r.rank ?? '-', ...(r.ai ? [aiOutcome(r.ai)] : []), r.expectedSlug, r.question].join('\t'));
      const totals = [`hit rate (top ${report.topK}): ${(report.hitRate * 100).toFixed(1)}% of ${report.rows.length}`];
      if (report.ai) {
        const { botName, answered, handedOff, citedExpected, promptTokens, completionTokens } = report.ai;
        totals.push(`${botName}: answered ${answered}, handed off ${handedOff}, cited the expected article ${citedExpected} of ${report.rows.length}; tokens ${promptTokens} + ${completionTokens}`);
      }
      return out(report, [...lines, ...totals].join('\n'));
    }
    default:
      throw new AppError('BAD_REQUEST', KB_USAGE);
  }
}
