// Runs the package in Node on cases read as JSON from stdin (see answer.js) and prints the
// answers as JSON. Driven by tests/edge.rs, which compares them with the native crate's.
import * as s3presign from "../node.js";
import { answer } from "./answer.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
process.stdout.write(JSON.stringify(answer(s3presign, JSON.parse(input))));
