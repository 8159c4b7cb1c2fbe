#!/usr/bin/env python3
"""Generates tests/data/independent/botocore.json: presigned URLs made by botocore for a table
of tricky cases, which tests/independent.rs reproduces with s3presign.

Deterministic: fixed credentials, a fixed signing time (botocore's clock is patched), sorted
JSON keys. Run with the pinned botocore (see README.md):

    python3 -m venv tests/independent/.venv
    tests/independent/.venv/bin/pip install -r tests/independent/requirements.txt
    tests/independent/.venv/bin/python tests/independent/gen_botocore.py
"""

import datetime
import json
import os
import sys
import urllib.parse

# Only the inputs below may influence the output: no AWS_* environment variables (endpoint
# URLs, dual-stack, us-east-1 endpoint, profiles...) and no ~/.aws files.
for _name in [n for n in os.environ if n.startswith("AWS_")]:
    del os.environ[_name]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

import botocore  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402

PINNED = "1.44.8"
if botocore.__version__ != PINNED:
    sys.exit(f"botocore {botocore.__version__} installed, {PINNED} pinned: see README.md")

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = (
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+session/token=with+odd&chars"
    "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
)
SIGNING_TIME = datetime.datetime(2024, 2, 29, 23, 59, 59)  # naive UTC, as botocore uses
AMZ_DATE = SIGNING_TIME.strftime("%Y%m%dT%H%M%SZ")

# botocore reads the clock through this function; pin it.
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: SIGNING_TIME

# Capture what botocore signed: the canonical request and the headers it covers.
_captured = {}
_orig_canonical_request = botocore.auth.SigV4Auth.canonical_request


def _capturing_canonical_request(self, request):
    text = _orig_canonical_request(self, request)
    _captured["canonical_request"] = text
    _captured["headers"] = sorted(
        [k, v] for k, v in self.headers_to_sign(request).items() if k != "host"
    )
    return text


botocore.auth.SigV4Auth.canonical_request = _capturing_canonical_request

LONG_KEY = "/".join(["k" * 254] * 4) + "/abcd"
assert len(LONG_KEY.encode()) == 1024
UNICODE_LONG_KEY = ("日本語/" * 100)[:-1]
UNICODE_LONG_KEY += "z" * (1024 - len(UNICODE_LONG_KEY.encode()))
assert len(UNICODE_LONG_KEY.encode()) == 1024

AWKWARD_KEYS = {
    "plain": "test.txt",
    "leading-slash": "/leading",
    "two-leading-slashes": "//two",
    "double-slash": "a//b",
    "dot-segments": "./a/./b",
    "dotdot-segments": "a/../b/..",
    "only-dotdot": "..",
    "trailing-slash": "dir/sub/",
    "only-slash": "/",
    "space": "with space.txt",
    "plus": "a+b",
    "equals": "a=b",
    "ampersand": "a&b",
    "question": "a?b",
    "hash": "a#b",
    "percent": "100%",
    "percent-encoded-looking": "a%20b%2Fc",
    "tilde": "~user/file~",
    "reserved-mix": "!$'()*,;:@[]",
    "quotes-and-backslash": "q\"'`\\",
    "controls": "tab\there\nnewline",
    "nul-and-del": "nul\x00del\x7f",
    "unicode": "ünïcødé/日本語/🦀.txt",
    "unicode-nfd": "e\u0301",
    "signature-lookalike": "X-Amz-Signature=0&x",
    "long-1024": LONG_KEY,
    "unicode-long-1024": UNICODE_LONG_KEY,
}


def rfc6266_attachment(filename):
    """`attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266
    section 4.3 with RFC 5987 encoding), written here independently of s3presign."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    value = f'attachment; filename="{fallback}"'
    if fallback != filename:
        value += "; filename*=UTF-8''" + urllib.parse.quote(filename, safe="-._~")
    return value


def case(name, **kw):
    c = {
        "name": name,
        "method": "GET",
        "bucket": "examplebucket",
        "bucket_naming": "strict",
        "key": "test.txt",
        "region": "us-east-1",
        "endpoint": None,
        "style": "auto",
        "us_east_1": "regional",
        "dualstack": False,
        "accelerate": False,
        "expires": 3600,
        "session_token": None,
        "version_id": None,
        "upload_part": None,
        "response": [],
        "content_type": None,
        "headers": [],
        "content_disposition_attachment": None,
    }
    for k, v in kw.items():
        assert k in c, k
        c[k] = v
    return c


CASES = []
for label, key in AWKWARD_KEYS.items():
    CASES.append(case(f"get-key-{label}", key=key))
for label in ["leading-slash", "dotdot-segments", "trailing-slash", "unicode", "long-1024"]:
    CASES.append(case(f"get-path-style-key-{label}", key=AWKWARD_KEYS[label], style="path", region="eu-west-1"))
    CASES.append(case(f"put-key-{label}", method="PUT", key=AWKWARD_KEYS[label], content_type="application/octet-stream"))

CASES += [
    case("aws-docs-example-global", us_east_1="global", expires=86400, key="test.txt"),
    case("us-east-1-regional", us_east_1="regional"),
    case("us-east-1-global-path-style", us_east_1="global", style="path"),
    case("eu-central-1-virtual", region="eu-central-1", style="virtual"),
    case("ap-southeast-2-path", region="ap-southeast-2", style="path"),
    case("dualstack", region="eu-west-1", dualstack=True),
    case("accelerate", region="eu-west-1", accelerate=True),
    case("dualstack-path-style", region="eu-west-1", dualstack=True, style="path"),
    case("dualstack-us-east-1", dualstack=True),
    case("accelerate-dualstack", region="eu-west-1", accelerate=True, dualstack=True),
    case("china-region", region="cn-north-1", style="virtual"),
    case("govcloud-region", region="us-gov-west-1", style="virtual"),
    case("dotted-bucket-auto-is-path-style", bucket="my.dotted.bucket", region="eu-west-1"),
    case("expires-1", expires=1),
    case("expires-604800", expires=604800),
    case("session-token", session_token=TOKEN),
    case("session-token-put", method="PUT", session_token=TOKEN, content_type="text/plain"),
    case("version-id", version_id="3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"),
    case("version-id-null", version_id="null"),
    case(
        "response-overrides-all",
        response=[
            ["response-cache-control", "no-cache, max-age=0"],
            ["response-content-disposition", 'attachment; filename="report 2024.pdf"'],
            ["response-content-encoding", "gzip"],
            ["response-content-language", "de-CH, en;q=0.5"],
            ["response-content-type", "application/pdf; charset=utf-8"],
            ["response-expires", "Thu, 01 Dec 1994 16:00:00 GMT"],
        ],
    ),
    case(
        "response-content-disposition-raw-unicode",
        response=[["response-content-disposition", 'inline; filename="日本語 ü.txt"']],
    ),
    case(
        "response-content-disposition-rfc5987",
        content_disposition_attachment='Résumé "v2" (final).pdf',
        response=[["response-content-disposition", rfc6266_attachment('Résumé "v2" (final).pdf')]],
    ),
    case(
        "response-overrides-with-version-and-token",
        key="a b/c+d",
        version_id="v+1/=",
        session_token=TOKEN,
        response=[["response-content-type", "text/plain"]],
    ),
    case("put-content-type", method="PUT", key="uploads/user-uploads/clip.mp4", content_type="video/mp4", expires=60),
    case("put-content-type-with-params", method="PUT", content_type="text/plain; charset=UTF-8"),
    case(
        "put-signed-headers",
        method="PUT",
        key="reports/2024 Q1.csv",
        content_type="text/csv",
        headers=[
            ["cache-control", "max-age=3600, must-revalidate"],
            ["x-amz-acl", "bucket-owner-full-control"],
            ["x-amz-meta-owner", "Zoe"],
            ["x-amz-meta-project", "alpha beta"],
            ["x-amz-server-side-encryption", "AES256"],
            ["x-amz-storage-class", "STANDARD_IA"],
        ],
    ),
    case("put-no-content-type", method="PUT"),
    case("delete", method="DELETE", key="old/file.txt"),
    case("delete-version", method="DELETE", key="old/file.txt", version_id="v1"),
    case("head", method="HEAD", key="a/b c"),
    case("upload-part", method="PUT", key="big/file.bin", upload_part=["VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA", 3]),
    case("upload-part-10000", method="PUT", key="big/file.bin", upload_part=["id+/=", 10000]),
    case("custom-endpoint-port-path", endpoint="http://127.0.0.1:9000", key="a/b c+d"),
    case("custom-endpoint-localhost", endpoint="http://localhost:9000", key="/x//y"),
    case("custom-endpoint-https-port-path", endpoint="https://minio.example.com:9443", style="path", key="dir/ü.txt"),
    case("custom-endpoint-https-port-virtual", endpoint="https://minio.example.com:9443", style="virtual"),
    case("custom-endpoint-https-default-port", endpoint="https://storage.example.com", style="path", region="auto"),
    case("custom-endpoint-ipv6", endpoint="http://[::1]:9000", key="k"),
    case("custom-endpoint-base-path", endpoint="https://example.com/base/path", style="path", key="a/b"),
    case("custom-endpoint-base-path-trailing-slash", endpoint="https://example.com/base/", style="path", key="/k"),
    case("custom-endpoint-http-virtual-dotted-bucket", endpoint="http://s3.local:9000", style="virtual", bucket="my.dotted.bucket"),
    case("custom-endpoint-explicit-default-port-https", endpoint="https://example.com:443", style="path"),
    case("custom-endpoint-explicit-default-port-http", endpoint="http://127.0.0.1:80", key="k"),
    case("custom-endpoint-uppercase-host", endpoint="https://MinIO.Example.com:9443", style="path"),
    case("relaxed-bucket-name-path-style", bucket="Example_Bucket", bucket_naming="relaxed", style="path", us_east_1="global"),
    case(
        "response-empty-and-special-values",
        response=[["response-content-type", ""], ["response-cache-control", "*~+ /?=&"]],
    ),
    case(
        "put-header-whitespace-and-case",
        method="PUT",
        content_type="  Text/Plain;   charset=UTF-8 ",
        headers=[["x-amz-meta-Owner", "  a   b  "]],
    ),
    case("custom-endpoint-put-content-type", endpoint="http://127.0.0.1:9000", method="PUT", content_type="image/png", key="img/a b.png"),
]

# Authorization-header signing (botocore's S3SigV4Auth on a prepared request): the URL is
# given as it will be sent (path and query already percent-encoded).
HEADER_CASES = [
    {"name": "get-empty-body", "method": "GET", "url": "https://examplebucket.s3.us-east-1.amazonaws.com/test.txt", "headers": [], "body": "", "payload": "bytes", "session_token": None},
    {"name": "get-unsigned-payload", "method": "GET", "url": "https://examplebucket.s3.us-east-1.amazonaws.com/a%20b/c%2Bd", "headers": [], "body": "", "payload": "unsigned", "session_token": None},
    {"name": "get-awkward-key-path-style", "method": "GET", "url": "http://127.0.0.1:9000/examplebucket//lead//x/./y/../z/%20%2B%3D%26%3F%23%25~%C3%BC", "headers": [], "body": "", "payload": "bytes", "session_token": None},
    {"name": "get-query-unsorted", "method": "GET", "url": "https://examplebucket.s3.us-east-1.amazonaws.com/k?versionId=v%2B1%2F%3D&response-content-type=text%2Fplain&acl=", "headers": [], "body": "", "payload": "bytes", "session_token": None},
    {"name": "put-body-content-type-meta", "method": "PUT", "url": "https://examplebucket.s3.us-east-1.amazonaws.com/uploads/clip%20%F0%9F%A6%80.mp4", "headers": [["Content-Type", "video/mp4"], ["x-amz-meta-owner", "  Zoe   Q. "], ["Cache-Control", "max-age=60"]], "body": "hello, world\n", "payload": "bytes", "session_token": None},
    {"name": "put-session-token", "method": "PUT", "url": "https://examplebucket.s3.eu-west-1.amazonaws.com/t.txt", "headers": [["Content-Type", "text/plain"]], "body": "temporary", "payload": "bytes", "session_token": TOKEN},
    {"name": "post-uploads-unsigned", "method": "POST", "url": "https://examplebucket.s3.us-east-1.amazonaws.com/big.bin?uploads=", "headers": [], "body": "", "payload": "unsigned", "session_token": None},
    {"name": "delete-http-custom-port", "method": "DELETE", "url": "http://localhost:9000/examplebucket/old/file.txt", "headers": [], "body": "", "payload": "bytes", "session_token": None},
]


def sign_headers(c):
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=c["method"], url=c["url"], data=c["body"].encode(), headers=dict(c["headers"]))
    if c["payload"] == "unsigned":
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    region = c["url"].split(".s3.")[1].split(".")[0] if ".s3." in c["url"] else "us-east-1"
    auth = botocore.auth.S3SigV4Auth(Credentials(ACCESS_KEY, SECRET, c["session_token"]), "s3", region)
    _captured.clear()
    auth.add_auth(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    return {
        "region": region,
        "canonical_request": _captured["canonical_request"],
        "authorization": headers["authorization"],
        "x-amz-date": headers["x-amz-date"],
        "x-amz-content-sha256": headers["x-amz-content-sha256"],
        "x-amz-security-token": headers.get("x-amz-security-token"),
    }


class Lcg:
    """A tiny 64-bit LCG (PCG constants), identical in gen_js.mjs, so the random cases are the
    same in both fixtures and do not depend on the language's random module."""

    def __init__(self, seed):
        self.state = seed

    def next(self, bound):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (self.state >> 33) % bound


RANDOM_POOL = [chr(c) for c in range(0x80)] + ["é", "日", "🦀", "\u00a0", "\u2028", "\ufeff", "ß", "Ω"]


def random_text(rng, max_len):
    return "".join(RANDOM_POOL[rng.next(len(RANDOM_POOL))] for _ in range(1 + rng.next(max_len)))


def random_cases(count):
    rng = Lcg(20240229)
    out = []
    for i in range(count):
        c = case(f"random-{i:03}", key=random_text(rng, 40), method=["GET", "PUT", "HEAD", "DELETE"][rng.next(4)])
        if c["method"] == "GET" and rng.next(2) == 0:
            c["response"] = [["response-content-disposition", random_text(rng, 30)]]
        if rng.next(4) == 0 and c["method"] != "PUT":
            c["version_id"] = random_text(rng, 20)
        if rng.next(3) == 0:
            c["style"] = "path"
        out.append(c)
    return out


CASES += random_cases(100)

OPERATIONS = {"GET": "get_object", "PUT": "put_object", "DELETE": "delete_object", "HEAD": "head_object"}
RESPONSE_PARAMS = {
    "response-cache-control": "ResponseCacheControl",
    "response-content-disposition": "ResponseContentDisposition",
    "response-content-encoding": "ResponseContentEncoding",
    "response-content-language": "ResponseContentLanguage",
    "response-content-type": "ResponseContentType",
    "response-expires": "ResponseExpires",
}
HEADER_PARAMS = {
    "cache-control": "CacheControl",
    "x-amz-acl": "ACL",
    "x-amz-server-side-encryption": "ServerSideEncryption",
    "x-amz-storage-class": "StorageClass",
}


def presign(c):
    session = botocore.session.get_session()
    s3_config = {
        "addressing_style": c["style"],
        "us_east_1_regional_endpoint": "regional" if c["us_east_1"] == "regional" else "legacy",
    }
    if c["dualstack"]:
        s3_config["use_dualstack_endpoint"] = True
    if c["accelerate"]:
        s3_config["use_accelerate_endpoint"] = True
    client = session.create_client(
        "s3",
        region_name=c["region"],
        endpoint_url=c["endpoint"],
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET,
        aws_session_token=c["session_token"],
        config=Config(signature_version="s3v4", s3=s3_config),
    )
    params = {"Bucket": c["bucket"], "Key": c["key"]}
    operation = OPERATIONS[c["method"]]
    if c["upload_part"]:
        operation = "upload_part"
        params["UploadId"], params["PartNumber"] = c["upload_part"]
    if c["version_id"] is not None:
        params["VersionId"] = c["version_id"]
    for name, value in c["response"]:
        params[RESPONSE_PARAMS[name]] = value
    if c["content_type"] is not None:
        params["ContentType"] = c["content_type"]
    for name, value in c["headers"]:
        if name.startswith("x-amz-meta-"):
            params.setdefault("Metadata", {})[name[len("x-amz-meta-"):]] = value
        else:
            params[HEADER_PARAMS[name]] = value
    _captured.clear()
    url = client.generate_presigned_url(operation, Params=params, ExpiresIn=c["expires"])
    creq = _captured["canonical_request"]
    canonical_query = creq.split("\n")[2]
    query = url.split("?", 1)[1]
    without_signature, signature = query.rsplit("&X-Amz-Signature=", 1)
    return {
        "url": url,
        "signature": signature,
        "canonical_request": creq,
        "signed_headers": _captured["headers"],
        # botocore writes operation parameters first and X-Amz-Security-Token after
        # X-Amz-SignedHeaders; s3presign writes the canonical (sorted) order. When botocore's
        # order happens to be the canonical one, the URLs must be byte-identical.
        "query_in_canonical_order": without_signature == canonical_query,
    }


def main():
    out = {
        "generator": "tests/independent/gen_botocore.py",
        "implementation": "botocore",
        "botocore_version": botocore.__version__,
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET,
        "amz_date": AMZ_DATE,
        "notes": [
            "Inputs use s3presign's vocabulary; gen_botocore.py maps them to botocore Params "
            "(response-* -> Response*, x-amz-acl -> ACL, x-amz-meta-* -> Metadata, ...).",
            "botocore signs ContentType and the other header parameters: signed_headers lists "
            "them (lowercase names, botocore's values) and s3presign signs the same headers.",
            "botocore lists header values as the caller gave them; s3presign returns them "
            "in canonical form (trimmed, inner spaces collapsed), which is what both sign: the "
            "test compares the canonical forms.",
            "botocore keeps a custom endpoint's authority as written in the URL (upper-case "
            "letters, an explicit default port such as :443) while signing the lower-case host "
            "without the default port; s3presign (like the SDK for JavaScript v3) writes the "
            "URL with the authority it signs. The test lower-cases botocore's authority and "
            "drops a default port before comparing URLs; canonical requests and signatures are "
            "compared unchanged.",
            "URL comparison: when query_in_canonical_order is true the URLs are byte-identical. "
            "Otherwise botocore put operation parameters (versionId, response-*, partNumber, "
            "uploadId) before the X-Amz-* parameters, or X-Amz-Security-Token after "
            "X-Amz-SignedHeaders; the test then checks the same path, the same set of query "
            "parameters byte for byte, the same canonical request and the same signature.",
            "Addressing: botocore's 'auto' style signs virtual-hosted URLs for regions other than "
            "us-east-1 against the global host s3.amazonaws.com (a legacy choice; s3presign "
            "uses the regional host), so such cases set style 'virtual', which gives the "
            "regional host in both. Both use path style for dotted bucket names over https and "
            "for IP-address and localhost endpoints; botocore defaults other custom endpoints "
            "to path style, so those cases give the style explicitly.",
        ],
        "cases": [],
    }
    for c in CASES:
        out["cases"].append({"input": c, "expected": presign(c)})
    out["header_cases"] = [{"input": c, "expected": sign_headers(c)} for c in HEADER_CASES]
    path = os.path.join(os.path.dirname(__file__), "..", "data", "independent", "botocore.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(CASES)} + {len(HEADER_CASES)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
