import { WebSocketServer } from "ws";
import { exec } from "child_process";
import { createServer } from "http";
import jwt from "jsonwebtoken";

const server = createServer();
const wss = new WebSocketServer({ server });

wss.on("connection", (socket) => {
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.type === "ping-host") {
      // ruleid: shell-injection
      exec(`ping -c 1 ${message.host}`, (err, out) => socket.send(out));
    }
    if (message.type === "whoami") {
      // ruleid: jwt-unverified
      const claims = jwt.decode(message.token) as { sub: string };
      socket.send(claims.sub);
    }
    if (message.type === "status") {
      // ok: shell-injection
      exec("uptime", (err, out) => socket.send(out));
    }
  });
});

server.listen(8081);
