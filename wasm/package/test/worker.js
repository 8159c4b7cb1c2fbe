// A test Worker for workerd: POST /cases runs the package on cases (see answer.js);
// POST /bench?lib=s3presign|aws4fetch&n=N presigns N GETs (timed by the caller: a Worker's
// clock stands still while it computes).
import * as s3presign from "s3presign";
import { AwsV4Signer } from "aws4fetch";
import { answer } from "answer.js";

const creds = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const key = "uploads/user-uploads/clip-0001"; // 30 bytes
const time = new Date("2024-02-29T23:59:59Z");
const options = { bucket: "examplebucket", key, region: "eu-west-1", expiresIn: 3600, credentials: creds, time };
const url = `https://examplebucket.s3.eu-west-1.amazonaws.com/${key}?X-Amz-Expires=3600`;

export default {
  async fetch(request) {
    const u = new URL(request.url);
    if (u.pathname == "/cases") return Response.json(answer(s3presign, await request.json()));
    const n = Number(u.searchParams.get("n"));
    let last = "";
    if (u.searchParams.get("lib") == "aws4fetch") {
      for (let i = 0; i < n; i++) {
        const s = new AwsV4Signer({ ...creds, url, service: "s3", region: "eu-west-1", signQuery: true, datetime: "20240229T235959Z" });
        last = (await s.sign()).url.toString();
      }
    } else {
      for (let i = 0; i < n; i++) last = s3presign.presignGet(options).url;
    }
    return new Response(last.slice(-64));
  },
};
