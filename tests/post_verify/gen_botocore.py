#!/usr/bin/env python3
"""Generates tests/data/post_verify/botocore.json: presigned URLs, header-signed requests and
presigned POST forms made by botocore at a fixed time, for tests/post_policy.rs.

Pinned version:  pip install botocore==1.43.11
Run from the repository root:  python3 tests/post_verify/gen_botocore.py
"""
import datetime
import json
import sys
from unittest import mock

import botocore
import botocore.auth
import botocore.session
import botocore.signers
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

PINNED = "1.43.11"
if botocore.__version__ != PINNED:
    sys.exit(f"botocore {botocore.__version__} installed; the fixtures are pinned to {PINNED}")

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/token+with=special/chars=="
NOW = datetime.datetime(2026, 11, 25, 12, 0, 0)


def fixed_now(remove_tzinfo=True):
    return NOW if remove_tzinfo else NOW.replace(tzinfo=datetime.timezone.utc)


def client(region="us-west-2", token=None, endpoint_url=None, style="virtual"):
    session = botocore.session.get_session()
    return session.create_client(
        "s3",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=token,
        config=Config(signature_version="s3v4", s3={"addressing_style": style}),
    )


def main():
    cases = []
    with mock.patch.object(botocore.auth, "get_current_datetime", fixed_now), mock.patch.object(
        botocore.signers, "get_current_datetime", fixed_now
    ):
        c = client()
        # Presigned URLs.
        cases.append({"name": "url-get", "kind": "url", "method": "GET", "headers": [],
                      "url": c.generate_presigned_url("get_object", Params={"Bucket": "examplebucket", "Key": "photos/cat.jpg"}, ExpiresIn=3600)})
        cases.append({"name": "url-get-odd-key-and-overrides", "kind": "url", "method": "GET", "headers": [],
                      "url": c.generate_presigned_url("get_object", Params={
                          "Bucket": "examplebucket", "Key": "dir/a b+c%d~ü€.txt",
                          "ResponseContentDisposition": 'attachment; filename="x y.txt"',
                          "ResponseContentType": "text/plain; charset=utf-8"}, ExpiresIn=900)})
        cases.append({"name": "url-put-content-type", "kind": "url", "method": "PUT",
                      "headers": [["content-type", "video/mp4"]],
                      "url": c.generate_presigned_url("put_object", Params={"Bucket": "examplebucket", "Key": "uploads/clip.mp4", "ContentType": "video/mp4"}, ExpiresIn=600)})
        cases.append({"name": "url-get-session-token", "kind": "url", "method": "GET", "headers": [],
                      "url": client(token=TOKEN).generate_presigned_url("get_object", Params={"Bucket": "examplebucket", "Key": "t.txt"}, ExpiresIn=60)})
        cases.append({"name": "url-get-path-style-custom-endpoint", "kind": "url", "method": "GET", "headers": [],
                      "url": client(region="us-east-1", endpoint_url="http://127.0.0.1:9000", style="path").generate_presigned_url(
                          "get_object", Params={"Bucket": "my-bucket", "Key": "k/v.bin"}, ExpiresIn=604800)})

        # Header-signed requests (S3SigV4Auth, as every botocore S3 call).
        creds = Credentials(AKID, SECRET)
        for name, method, url, headers, body in [
            ("header-put-body", "PUT", "http://examplebucket.s3.us-west-2.amazonaws.com/docs/note.txt",
             {"Content-Type": "text/plain", "x-amz-meta-owner": "alice"}, b"hello world"),
            ("header-get-range-unsigned-payload", "GET", "https://examplebucket.s3.us-west-2.amazonaws.com/big.bin",
             {"Range": "bytes=0-99"}, b""),
        ]:
            req = AWSRequest(method=method, url=url, headers=headers, data=body)
            req.context["payload_signing_enabled"] = url.startswith("http://")
            botocore.auth.S3SigV4Auth(creds, "s3", "us-west-2").add_auth(req)
            host = url.split("/")[2]
            hdrs = [["host", host]] + [[k, v] for k, v in req.headers.items()]
            cases.append({"name": name, "kind": "header", "method": method, "url": url, "headers": hdrs,
                          "body": body.decode()})

        # Presigned POST forms. `builder` describes the same form for s3presign's PostPolicy.
        post = c.generate_presigned_post(
            "examplebucket", "uploads/${filename}",
            Conditions=[["content-length-range", 1, 10485760], ["starts-with", "$Content-Type", "video/"]],
            ExpiresIn=600)
        cases.append({"name": "post-video-under-uploads", "kind": "post", "url": post["url"], "fields": post["fields"],
                      "builder": {"region": "us-west-2", "bucket": "examplebucket", "expires_in": 600,
                                  "key_starts_with": "uploads/", "content_length_range": [1, 10485760],
                                  "content_type_starts_with": "video/"}})
        meta = 'zoë "quoted" \\ <tag>'
        post = c.generate_presigned_post(
            "examplebucket", "docs/report 2026 ü.pdf",
            Fields={"Content-Type": "application/pdf", "acl": "private", "success_action_status": "201",
                    "x-amz-meta-owner": meta},
            Conditions=[{"Content-Type": "application/pdf"}, {"acl": "private"}, {"success_action_status": "201"},
                        {"x-amz-meta-owner": meta}],
            ExpiresIn=3600)
        cases.append({"name": "post-exact-fields-non-ascii", "kind": "post", "url": post["url"], "fields": post["fields"],
                      "builder": {"region": "us-west-2", "bucket": "examplebucket", "expires_in": 3600,
                                  "key": "docs/report 2026 ü.pdf", "content_type": "application/pdf", "acl": "private",
                                  "success_action_status": 201, "meta": ["owner", meta]}})
        extra = {"Cache-Control": "max-age=60", "Content-Disposition": "attachment",
                 "success_action_redirect": "https://example.com/done?x=1&y=2",
                 "x-amz-server-side-encryption": "aws:kms",
                 "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/abc"}
        post = client(region="us-east-1", token=TOKEN, endpoint_url="http://127.0.0.1:9000", style="path").generate_presigned_post(
            "my-bucket", "in/box.bin", Fields=dict(extra), Conditions=[{k: v} for k, v in extra.items()], ExpiresIn=120)
        cases.append({"name": "post-session-token-path-style", "kind": "post", "url": post["url"], "fields": post["fields"],
                      "builder": {"region": "us-east-1", "endpoint": "http://127.0.0.1:9000", "bucket": "my-bucket",
                                  "expires_in": 120, "key": "in/box.bin", "token": True,
                                  "cache_control": "max-age=60", "content_disposition": "attachment",
                                  "success_action_redirect": extra["success_action_redirect"],
                                  "sse_kms_key_id": extra["x-amz-server-side-encryption-aws-kms-key-id"]}})

    out = {"generator": f"botocore {botocore.__version__}", "time": "2026-11-25T12:00:00Z",
           "access_key_id": AKID, "secret_access_key": SECRET, "session_token": TOKEN, "cases": cases}
    with open("tests/data/post_verify/botocore.json", "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases")


if __name__ == "__main__":
    main()
