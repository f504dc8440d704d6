import Koa from "koa";
import Router from "@koa/router";
import Fastify from "fastify";
import { readFile } from "fs/promises";
import { execSync } from "child_process";

const app = new Koa();
const router = new Router();

router.get("/file", async (ctx) => {
  const name: string = ctx.query.name as string;
  // ruleid: path-traversal
  ctx.body = await readFile(`/srv/files/${name}`, "utf8");
});

router.get("/greet", async (ctx) => {
  // ruleid: xss
  ctx.body = `<p>Hello ${ctx.query.name}</p>`;
});

router.get("/greet-json", async (ctx) => {
  // ok: xss
  ctx.body = { hello: String(ctx.query.name) };
});

router.get("/leave", async (ctx) => {
  // ruleid: open-redirect
  ctx.redirect(ctx.query.url as string);
});

const fastify = Fastify();

fastify.get("/host", async (request, reply) => {
  const { host } = request.query as { host: string };
  // ruleid: shell-injection
  const out = execSync("nslookup " + host).toString();
  reply.send({ out });
});

fastify.get("/uptime", async (request, reply) => {
  // ok: shell-injection
  const out = execSync("uptime").toString();
  reply.send({ out });
});

app.use(router.routes());
app.listen(3000);
