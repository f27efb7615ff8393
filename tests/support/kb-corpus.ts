/** A small knowledge base for search tests: clear winners per question, a draft and another site's article as traps. */
import type { ArticleRequest } from '../../server/contract/knowledge-base.ts';

export const CORPUS: ArticleRequest[] = [
  {
    slug: 'reset-password',
    title: 'How to reset your password',
    body: 'Open **Settings**, choose Security and click Reset password. We email you a link that works for one hour.',
    tags: ['account', 'login'],
    published: true,
  },
  {
    slug: 'refund-policy',
    title: 'Refund policy',
    body: 'You can ask for a refund within 30 days of purchase. Refunds go back to the original card.',
    tags: ['billing'],
    published: true,
  },
  {
    slug: 'shipping-times',
    title: 'Shipping times',
    body: 'Orders ship within 2 business days. International shipping takes 7 to 14 days.',
    tags: ['delivery'],
    published: true,
  },
  {
    slug: 'cancel-subscription',
    title: 'Cancel your subscription',
    body: 'Go to Billing and press Cancel plan. You keep access until the paid period ends.',
    tags: ['billing', 'account'],
    published: true,
  },
];

export const DRAFT: ArticleRequest = {
  slug: 'refund-changes',
  title: 'Upcoming refund changes',
  body: 'Refund rules change next month. Not public yet.',
  tags: ['billing'],
  published: false,
};

export const OTHER_SITE: ArticleRequest = {
  slug: 'refund-policy',
  title: 'Refund policy of another shop',
  body: 'Refunds within 14 days.',
  tags: [],
  published: true,
};

/** Visitor text no query parser should ever see as syntax. */
export const HOSTILE_QUERIES = [
  '"',
  '"refund',
  '*',
  'refund*',
  'NEAR(refund policy, 2)',
  '-refund',
  'title:refund',
  'refund AND OR NOT',
  '^refund',
  '((((',
  "'; DROP TABLE \"KbArticle\"; --",
  'refund & | ! <-> :*',
  '\\',
  '',
  '   ',
  '🙂🙂',
  'x'.repeat(10_000),
  'refund '.repeat(400),
];
