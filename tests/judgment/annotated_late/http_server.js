const http = require("http");
const url = require("url");
const fs = require("fs");
const cp = require("child_process");

const server = http.createServer((req, res) => {
  const { pathname, query } = url.parse(req.url, true);
  if (pathname === "/file") {
    // ruleid: path-traversal
    fs.createReadStream("./public/" + query.name).pipe(res);
  } else if (pathname === "/hello") {
    res.writeHead(200, { "Content-Type": "text/html" });
    // ruleid: xss
    res.end("<p>Hello, " + query.name + "</p>");
  } else if (pathname === "/lookup") {
    const parts = ["dig", "+short", query.domain];
    // ruleid: shell-injection
    cp.execSync(parts.join(" "));
    res.end("ok");
  } else if (pathname === "/lookup-safe") {
    // ok: shell-injection
    cp.execFileSync("dig", ["+short", String(query.domain)]);
    res.end("ok");
  } else {
    res.writeHead(404);
    // ok: xss
    res.end("not found");
  }
});

server.listen(8080);
