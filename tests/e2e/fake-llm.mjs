// A tiny OpenAI-compatible server for the e2e tests: lists one model and streams a fixed answer
// as server-sent events. Prints its base URL on the first line of stdout; logs requests as JSON
// lines after it.
import http from "node:http";

const server = http.createServer((req, res) => {
  if (req.url.endsWith("/models")) {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: [{ id: "tiny-test-model", object: "model" }] }));
    return;
  }
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", async () => {
    console.log(body.replace(/\n/g, " "));
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    for (const piece of ["Quokkas live ", "on **Rottnest Island** ", "[1]."]) {
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
      await new Promise((r) => setTimeout(r, 150));
    }
    res.end("data: [DONE]\n\n");
  });
});
server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${server.address().port}/v1`));
