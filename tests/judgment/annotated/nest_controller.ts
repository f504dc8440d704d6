import { Body, Controller, Get, Post, Query } from "@nestjs/common";
import { DataSource } from "typeorm";
import * as child from "child_process";

@Controller("reports")
export class ReportsController {
  constructor(private readonly db: DataSource) {}

  @Get()
  async list(@Query("owner") owner: string) {
    // ruleid: sql-injection
    return this.db.query(`SELECT * FROM reports WHERE owner = '${owner}'`);
  }

  @Get("safe")
  async listSafe(@Query("owner") owner: string) {
    // ok: sql-injection
    return this.db.query("SELECT * FROM reports WHERE owner = $1", [owner]);
  }

  @Post("render")
  async render(@Body() body: { template: string }) {
    // ruleid: shell-injection
    child.exec(`pandoc -o /tmp/out.pdf ${body.template}`);
    return { queued: true };
  }

  @Get("count")
  async count(@Query("limit") limit: string) {
    const n = Number.parseInt(limit, 10);
    // ok: sql-injection
    return this.db.query(`SELECT * FROM reports LIMIT ${n}`);
  }
}
