//! A tiny gatekeeper: an HTTP server that only lets through requests carrying a valid
//! presigned URL for its bucket, answering anything else with S3's XML error (the code and
//! status S3 would use). A real gatekeeper would then proxy the request or serve the object.
//!
//! ```text
//! cargo run --example verify            # self-test: starts, sends itself four requests, exits
//! cargo run --example verify -- serve   # keeps serving on 127.0.0.1:8080
//! ```
//!
//! In self-test mode it signs URLs with s3presign for `http://127.0.0.1:PORT/gated/...`
//! (path style) and shows the verdicts: a good URL, a tampered key, an expired URL and no
//! signature at all.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use s3presign::s3::{Bucket, Endpoint};
use s3presign::verify::{IncomingRequest, Verifier};
use s3presign::{AmzDate, Credentials, Signer};

const BUCKET: &str = "gated";

fn credentials() -> Credentials {
    Credentials::new("AKIDGATEKEEPER", "gatekeeper/secret/key")
}

/// Reads one request, verifies it, writes the verdict.
fn handle(
    stream: TcpStream,
    verifier: &Verifier<impl Fn(&str) -> Option<Credentials>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim_end().is_empty() {
            break;
        }
        if let Some((n, v)) = h.trim_end().split_once(':') {
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let now = AmzDate::now().map_err(std::io::Error::other)?;
    let (status, body) =
        match verifier.verify(&IncomingRequest::new(method, path, query, &refs), now) {
            // A bucket-level check: the URL must be for this gatekeeper's bucket.
            Ok(ok) if path.starts_with(&format!("/{BUCKET}/")) => (
                200,
                format!(
                    "OK: signed by {} at {}\n",
                    ok.access_key_id(),
                    ok.signed_at()
                ),
            ),
            Ok(_) => (403, s3_error("AccessDenied", "Access Denied")),
            Err(e) => (e.http_status(), s3_error(e.s3_code(), e.message())),
        };
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        match status {
            200 => "OK",
            400 => "Bad Request",
            403 => "Forbidden",
            _ => "Error",
        },
        body.len()
    )?;
    Ok(())
}

fn s3_error(code: &str, message: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message></Error>\n",
        esc(code),
        esc(message)
    )
}

/// Sends `GET url` to the gatekeeper and returns the status line and body.
fn get(url: &str) -> std::io::Result<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut s = TcpStream::connect(authority)?;
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )?;
    let mut resp = String::new();
    s.read_to_string(&mut resp)?;
    let status = resp.lines().next().unwrap_or("").to_owned();
    let body = resp
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .trim()
        .to_owned();
    Ok(format!("{status} | {body}"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let serve = std::env::args().nth(1).as_deref() == Some("serve");
    let listener = TcpListener::bind(if serve {
        "127.0.0.1:8080"
    } else {
        "127.0.0.1:0"
    })?;
    let addr = listener.local_addr()?;
    let creds = credentials();
    let verifier =
        Verifier::new(move |id: &str| (id == creds.access_key_id()).then(|| creds.clone()))
            .with_region("us-east-1")
            .with_max_expiry(3600); // this gatekeeper accepts links valid for at most an hour

    let endpoint = Endpoint::custom(&format!("http://{addr}"), "us-east-1")?;
    let bucket = Bucket::new(&endpoint, BUCKET)?;
    let signer = Signer::new(credentials())?;
    let now = AmzDate::now()?;
    let good = bucket
        .get_object("reports/q3.pdf")
        .expires_in(300)
        .sign_url(&signer, now)?;
    if serve {
        eprintln!("gatekeeper on http://{addr}; try: curl -i '{good}'");
        for stream in listener.incoming() {
            handle(stream?, &verifier)?;
        }
        return Ok(());
    }

    let server = std::thread::spawn(move || -> std::io::Result<()> {
        for stream in listener.incoming().take(4) {
            handle(stream?, &verifier)?;
        }
        Ok(())
    });
    let an_hour_ago = AmzDate::from_unix_timestamp(now.unix_timestamp() - 3600)?;
    let expired = bucket
        .get_object("reports/q3.pdf")
        .expires_in(60)
        .sign_url(&signer, an_hour_ago)?;
    let tampered = good.replace("q3.pdf", "q4.pdf");
    let unsigned = good.split('?').next().unwrap_or_default().to_owned();
    for (what, url) in [
        ("valid", &good),
        ("tampered key", &tampered),
        ("expired", &expired),
        ("unsigned", &unsigned),
    ] {
        println!("{what:>12}: {}", get(url)?);
    }
    server.join().map_err(|_| "gatekeeper thread panicked")??;
    Ok(())
}
