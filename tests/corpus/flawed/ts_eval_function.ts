import type { Request, Response } from "express";

type Row = Record<string, number>;

export function filterRows(req: Request, res: Response): void {
  const predicate: string = String(req.body.where ?? "true");
  const rows: Row[] = req.app.locals.rows;
  const test = new Function("row", `with (row) { return (${predicate}); }`) as (row: Row) => boolean;
  const matching = rows.filter((row) => test(row));
  res.json({ count: matching.length, rows: matching.slice(0, 100) });
}
