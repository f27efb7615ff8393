/** /api/v1 visitors and reports; thin: parse, call ApiDirectory, answer. */
import { Router, type Request } from 'express';
import type { ApiDirectory } from '../../app/api-directory.ts';
import { parse } from '../../validation/parse.ts';
import { reportQuery } from '../admin-routes.ts';
import { route } from '../errors.ts';
import { sendReportCsv } from '../report-csv.ts';
import { principal } from './auth.ts';
import * as schemas from './schemas.ts';

export function directoryRoutes(api: ApiDirectory): Router {
  const router = Router();
  const visitorId = (req: Request) => parse(schemas.pathId, req.params.id);
  router.get('/visitors/:id', route(async (req, res) => void res.json(await api.visitor(principal(req), visitorId(req)))));
  router.patch('/visitors/:id', route(async (req, res) => {
    res.json(await api.updateAttributes(principal(req), visitorId(req), parse(schemas.visitorAttributes, req.body).attributes));
  }));
  router.get('/reports', route(async (req, res) => {
    const { format, tz, from, to, groupBy, siteId } = parse(reportQuery, req.query);
    const report = await api.report(principal(req), { from, to, groupBy, timezone: tz, ...(siteId !== undefined && { siteId }) });
    if (format === 'csv') await sendReportCsv(res, report);
    else res.json(report);
  }));
  return router;
}
