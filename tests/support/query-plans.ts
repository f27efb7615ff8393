/** PostgreSQL's plans of the raw statements, as a flat list of nodes: what their plan tests look at. */
import type { Pool } from 'pg';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Join Filter'?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** The plan of `execute` (an EXECUTE of a prepared statement, with its arguments as SQL), every node of it. */
export async function explained(db: Pick<Pool, 'query'>, execute: string): Promise<PlanNode[]> {
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${execute}`);
  return planNodes(rows[0]!['QUERY PLAN'][0].Plan);
}

/** `statement` prepared on one of the pool's connections and planned for `args` (SQL), as its batches run it. */
export async function preparedPlan(pool: Pool, statement: string, args: string): Promise<PlanNode[]> {
  const client = await pool.connect();
  try {
    await client.query(`PREPARE planned AS ${statement}`);
    return await explained(client, `EXECUTE planned(${args})`);
  } finally {
    await client.query('DEALLOCATE ALL');
    client.release();
  }
}
