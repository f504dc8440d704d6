import type { Request, Response } from "express";

type Row = Record<string, number>;
type Op = "<" | "<=" | "=" | ">=" | ">";

const OPS: Record<Op, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  "=": (a, b) => a === b,
  ">=": (a, b) => a >= b,
  ">": (a, b) => a > b,
};

export function filterRows(req: Request, res: Response): void {
  const { field, op, value } = req.body as { field: string; op: Op; value: number };
  if (!(op in OPS) || typeof value !== "number") {
    res.status(400).json({ error: "expected field, op and numeric value" });
    return;
  }
  const rows: Row[] = req.app.locals.rows;
  const matching = rows.filter((row) => OPS[op](row[field], value));
  res.json({ count: matching.length, rows: matching.slice(0, 100) });
}
