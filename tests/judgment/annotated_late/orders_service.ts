import express, { Request, Response } from "express";
import { Sequelize, QueryTypes } from "sequelize";
import knexFactory from "knex";

const sequelize = new Sequelize(process.env.DATABASE_URL as string);
const knex = knexFactory({ client: "pg" });
const app = express();

class OrderRepository {
  async byCustomer(customer: string) {
    // ruleid: sql-injection
    return sequelize.query(`SELECT * FROM orders WHERE customer = '${customer}'`, { type: QueryTypes.SELECT });
  }

  async byStatus(status: string) {
    // ok: sql-injection
    return sequelize.query("SELECT * FROM orders WHERE status = :status", {
      replacements: { status },
      type: QueryTypes.SELECT,
    });
  }

  async sorted(column: string) {
    // ruleid: sql-injection
    return knex("orders").orderByRaw(column + " DESC");
  }
}

const repo = new OrderRepository();

app.get("/orders", async (req: Request, res: Response) => {
  const rows = await repo.byCustomer(req.query.customer as string);
  res.json(rows);
});

app.get("/orders/sorted", async (req: Request, res: Response) => {
  res.json(await repo.sorted(String(req.query.by)));
});

app.get("/orders/status", async (req: Request, res: Response) => {
  res.json(await repo.byStatus(String(req.query.status)));
});

export default app;
