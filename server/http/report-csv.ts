/** A report as a CSV download, streamed line by line: the console's export and API v1's are this one answer. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { reportCsvLines } from '../app/reports.ts';
import type { Report } from '../contract/admin.ts';

export async function sendReportCsv(res: Response, report: Report): Promise<void> {
  res.type('text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="parley-report-${report.groupBy}-${report.from}-${report.to}.csv"`);
  await pipeline(Readable.from(reportCsvLines(report)), res);
}
