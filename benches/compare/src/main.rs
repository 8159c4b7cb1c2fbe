//! s3presign vs rusty-s3 vs aws-sigv4 on identical inputs, in one run.
//!
//! ```text
//! cd benches/compare && CARGO_TARGET_DIR=/work/target-compare cargo run --release
//! ```
//!
//! Times are this thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), so time spent waiting for
//! a core on a busy machine is not counted.
//!
//! Every implementation presigns the same GET (virtual-hosted `examplebucket` in us-east-1,
//! a 30-byte key, 3600 s, 2013-05-24T00:00:00Z), without and with a 700-character session
//! token. Before timing, the three signatures of each case must be equal (the run aborts
//! otherwise). Timing interleaves the implementations: each round times a block of calls of
//! each in turn, so load from other processes hits all of them alike; the table shows the
//! median over rounds. Allocations are counted with a counting global allocator.
//!
//! Each implementation is used as its documentation shows, up to a URL `String`:
//! - s3presign: `bucket.get_object(key).expires_in(3600).sign_url(&signer, now)`
//!   (the signer caches the signing key);
//! - rusty-s3: `bucket.get_object(Some(&creds), key).sign_with_time(3600 s, &now)`, then
//!   `String::from(url)`;
//! - aws-sigv4: `http_request::sign` with S3 settings (single encoding, no normalisation,
//!   unsigned payload, signature in the query), applied with `apply_to_request_http1x`, then
//!   the request URI as a `String`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use rusty_s3::S3Action;

mod verifiers;

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call unchanged to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract.
        unsafe { System.alloc(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract.
        unsafe { System.realloc(p, l, n) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const BUCKET: &str = "examplebucket";
const REGION: &str = "us-east-1";
const KEY: &str = "photos/2026/11/25/IMG_0001.jpg";
const EXPIRES: u64 = 3600;
/// 2013-05-24T00:00:00Z.
const NOW_UNIX: i64 = 1_369_353_600;

/// The same 700-character token as benches/presign.rs (base64 alphabet, `+`, `/`, `=`).
fn session_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u32 = 0x2545_f491;
    let mut t: String = (0..698)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            ALPHABET[(x % 64) as usize] as char
        })
        .collect();
    t.push_str("==");
    assert_eq!(t.len(), 700);
    t
}

struct S3Presign {
    bucket: s3presign::s3::Bucket,
    signer: s3presign::Signer,
    now: s3presign::AmzDate,
}

impl S3Presign {
    fn new(token: Option<&str>) -> Self {
        let endpoint = s3presign::s3::Endpoint::aws(REGION).unwrap();
        let mut creds = s3presign::Credentials::new(ACCESS_KEY, SECRET);
        if let Some(t) = token {
            creds = creds.with_session_token(t);
        }
        Self {
            bucket: s3presign::s3::Bucket::new(&endpoint, BUCKET).unwrap(),
            signer: s3presign::Signer::new(creds).unwrap(),
            now: s3presign::AmzDate::from_unix_timestamp(NOW_UNIX).unwrap(),
        }
    }

    fn presign(&self) -> String {
        self.bucket
            .get_object(black_box(KEY))
            .expires_in(EXPIRES)
            .sign_url(&self.signer, self.now)
            .unwrap()
    }
}

struct RustyS3 {
    bucket: rusty_s3::Bucket,
    creds: rusty_s3::Credentials,
    now: jiff::Timestamp,
}

impl RustyS3 {
    fn new(token: Option<&str>) -> Self {
        let endpoint = url::Url::parse(&format!("https://s3.{REGION}.amazonaws.com")).unwrap();
        let bucket =
            rusty_s3::Bucket::new(endpoint, rusty_s3::UrlStyle::VirtualHost, BUCKET, REGION)
                .unwrap();
        let creds = match token {
            Some(t) => rusty_s3::Credentials::new_with_token(ACCESS_KEY, SECRET, t),
            None => rusty_s3::Credentials::new(ACCESS_KEY, SECRET),
        };
        Self {
            bucket,
            creds,
            now: jiff::Timestamp::from_second(NOW_UNIX).unwrap(),
        }
    }

    fn presign(&self) -> String {
        let action = self.bucket.get_object(Some(&self.creds), black_box(KEY));
        String::from(action.sign_with_time(Duration::from_secs(EXPIRES), &self.now))
    }
}

struct AwsSigv4 {
    identity: Identity,
    host: String,
    url: String,
    now: SystemTime,
}

impl AwsSigv4 {
    fn new(token: Option<&str>) -> Self {
        let creds = aws_credential_types::Credentials::new(
            ACCESS_KEY,
            SECRET,
            token.map(String::from),
            None,
            "compare",
        );
        let host = format!("{BUCKET}.s3.{REGION}.amazonaws.com");
        Self {
            identity: creds.into(),
            url: format!("https://{host}/{KEY}"),
            host,
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_UNIX as u64),
        }
    }

    fn presign(&self) -> String {
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(EXPIRES));
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.session_token_mode = SessionTokenMode::Include;
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(REGION)
            .name("s3")
            .time(self.now)
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let url = black_box(self.url.as_str());
        let signable = SignableRequest::new(
            "GET",
            url,
            [("host", self.host.as_str())].into_iter(),
            SignableBody::UnsignedPayload,
        )
        .unwrap();
        let (instructions, _signature) = sign(signable, &params).unwrap().into_parts();
        let mut request = http::Request::builder()
            .method("GET")
            .uri(url)
            .body(())
            .unwrap();
        instructions.apply_to_request_http1x(&mut request);
        request.uri().to_string()
    }
}

/// The work no implementation can skip: SHA-256 of the canonical request, then one
/// HMAC-SHA256 of the string to sign from a cloned pre-keyed state.
struct Floor {
    creq: Vec<u8>,
    sts_prefix: Vec<u8>,
    keyed: hmac::Hmac<sha2::Sha256>,
}

impl Floor {
    fn new(s: &S3Presign) -> Self {
        use hmac::KeyInit;
        let p = s.bucket.get_object(KEY).expires_in(EXPIRES);
        let creq = p.canonical_request(&s.signer, s.now).unwrap();
        let sts = p.string_to_sign(&s.signer, s.now).unwrap();
        // The SigV4 signing key of the scope: four chained HMACs over "AWS4" + secret.
        let mac = |key: &[u8], data: &str| -> Vec<u8> {
            use hmac::Mac;
            let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
            m.update(data.as_bytes());
            m.finalize().into_bytes().to_vec()
        };
        let mut key = format!("AWS4{SECRET}").into_bytes();
        for part in ["20130524", REGION, "s3", "aws4_request"] {
            key = mac(&key, part);
        }
        Self {
            creq: creq.into_bytes(),
            sts_prefix: sts.as_bytes()[..sts.len() - 64].to_vec(),
            keyed: hmac::Hmac::new_from_slice(&key).unwrap(),
        }
    }

    fn run(&self) -> [u8; 32] {
        use hmac::Mac;
        use sha2::Digest;
        let mut hex = [0u8; 64];
        hex::encode_to_slice(sha2::Sha256::digest(&self.creq), &mut hex).unwrap();
        let mut mac = self.keyed.clone();
        mac.update(&self.sts_prefix);
        mac.update(&hex);
        mac.finalize().into_bytes().into()
    }
}

/// The same origin, path and multiset of query parameters.
fn same_up_to_parameter_order(a: &str, b: &str) -> bool {
    let parts = |u: &str| {
        let (base, query) = u.split_once('?').unwrap_or((u, ""));
        let mut params: Vec<&str> = query.split('&').collect();
        params.sort_unstable();
        (base.to_owned(), params.join("&"))
    };
    parts(a) == parts(b)
}

fn signature_of(url: &str) -> &str {
    let i = url.find("X-Amz-Signature=").expect("a signature") + "X-Amz-Signature=".len();
    &url[i..i + 64]
}

fn allocs_per_call(f: &dyn Fn() -> String) -> f64 {
    drop(f());
    let before = ALLOCS.load(Ordering::Relaxed);
    for _ in 0..1000 {
        drop(black_box(f()));
    }
    (ALLOCS.load(Ordering::Relaxed) - before) as f64 / 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// This thread's CPU time in ns (CLOCK_THREAD_CPUTIME_ID): unlike wall-clock time it does
/// not count the time this thread waited for a core, which matters on a shared machine.
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0);
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Median ns per call over `rounds`, timing `block` calls of each closure in turn per round.
fn interleaved(fs: &[&dyn Fn()], rounds: usize, block: u32) -> Vec<f64> {
    let mut samples = vec![Vec::with_capacity(rounds); fs.len()];
    for f in fs {
        for _ in 0..block {
            f();
        }
    }
    for _ in 0..rounds {
        for (i, f) in fs.iter().enumerate() {
            let t = thread_cpu_ns();
            for _ in 0..block {
                f();
            }
            samples[i].push((thread_cpu_ns() - t) as f64 / f64::from(block));
        }
    }
    samples.into_iter().map(median).collect()
}

fn main() {
    // `LOOP=<s3presign|rusty-s3|aws-sigv4>[-token]:<n>`: one implementation n times, for
    // instruction counts under callgrind.
    if let Ok(spec) = std::env::var("LOOP") {
        let (which, n) = spec.split_once(':').expect("LOOP=<impl>:<n>");
        let n: u64 = n.parse().expect("a count");
        let token = session_token();
        let (which, tok) = match which.strip_suffix("-token") {
            Some(w) => (w, Some(token.as_str())),
            None => (which, None),
        };
        let f: Box<dyn Fn() -> String> = match which {
            "s3presign" => {
                let s = S3Presign::new(tok);
                Box::new(move || s.presign())
            }
            "rusty-s3" => {
                let s = RustyS3::new(tok);
                Box::new(move || s.presign())
            }
            "aws-sigv4" => {
                let s = AwsSigv4::new(tok);
                Box::new(move || s.presign())
            }
            "s3presign-headers" => {
                let s = S3Presign::new(tok);
                let path = format!("/{KEY}");
                Box::new(move || {
                    use s3presign::sigv4::{
                        Payload, SignableRequest, SigningParams, SigningSettings, sign_headers,
                    };
                    let headers = [("host", s.bucket.host())];
                    let req = SignableRequest::new(
                        "GET",
                        black_box(&path),
                        "",
                        &headers,
                        Payload::Unsigned,
                    );
                    let params = SigningParams::new(&s.signer, REGION, "s3", s.now)
                        .with_settings(SigningSettings::s3());
                    let signed = sign_headers(&req, &params).unwrap();
                    drop(black_box(signed));
                    String::new()
                })
            }
            "s3presign-creq" => {
                let s = S3Presign::new(tok);
                let path = format!("/{KEY}");
                Box::new(move || {
                    use s3presign::sigv4::{
                        CanonicalRequest, Payload, SignableRequest, SigningSettings,
                    };
                    let h3 = [
                        ("host", s.bucket.host()),
                        ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
                        ("x-amz-date", "20130524T000000Z"),
                    ];
                    let req =
                        SignableRequest::new("GET", black_box(&path), "", &h3, Payload::Unsigned);
                    let c = CanonicalRequest::from_request(&req, &SigningSettings::s3());
                    drop(black_box(c));
                    String::new()
                })
            }
            other => panic!("unknown implementation {other}"),
        };
        for _ in 0..n {
            drop(black_box(f()));
        }
        return;
    }
    if std::env::var("PARTS").is_ok() {
        parts();
        return;
    }
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    if std::env::var("VERIFY").is_ok() {
        verifiers::run(rounds);
        return;
    }
    let token = session_token();
    println!("| case | implementation | median ns/URL | vs floor | allocations/URL |");
    println!("|---|---|---:|---:|---:|");
    for (case, tok) in [
        ("GET", None),
        ("GET + 700-char token", Some(token.as_str())),
    ] {
        let ours = S3Presign::new(tok);
        let rusty = RustyS3::new(tok);
        let aws = AwsSigv4::new(tok);
        let floor = Floor::new(&ours);

        let (a, b, c) = (ours.presign(), rusty.presign(), aws.presign());
        assert_eq!(
            signature_of(&a),
            signature_of(&b),
            "s3presign vs rusty-s3\n{a}\n{b}"
        );
        assert_eq!(
            signature_of(&a),
            signature_of(&c),
            "s3presign vs aws-sigv4\n{a}\n{c}"
        );
        eprintln!("{case}: all three sign {}", signature_of(&a));
        for (name, other) in [("rusty-s3", &b), ("aws-sigv4", &c)] {
            if same_up_to_parameter_order(&a, other) {
                eprintln!(
                    "  {name}: the same URL{}",
                    if a == *other {
                        ""
                    } else {
                        " up to parameter order"
                    }
                );
            } else {
                eprintln!("  {name}: a different URL (same signature):\n    {a}\n    {other}");
            }
        }

        let fs: [&dyn Fn(); 4] = [
            &|| {
                black_box(floor.run());
            },
            &|| drop(black_box(ours.presign())),
            &|| drop(black_box(rusty.presign())),
            &|| drop(black_box(aws.presign())),
        ];
        let m = interleaved(&fs, rounds, 200);
        let allocs = [
            0.0,
            allocs_per_call(&|| ours.presign()),
            allocs_per_call(&|| rusty.presign()),
            allocs_per_call(&|| aws.presign()),
        ];
        let names = [
            "floor (SHA-256 + 1 HMAC)",
            "s3presign",
            "rusty-s3 0.11.0",
            "aws-sigv4 1.6.4",
        ];
        for i in 0..4 {
            println!(
                "| {case} | {} | {:.0} | {:.2}x | {} |",
                names[i],
                m[i],
                m[i] / m[0],
                allocs[i]
            );
        }
    }
}

/// `PARTS=1`: the pieces of header signing, timed alone (for profiling s3presign).
fn parts() {
    use s3presign::sigv4::{
        CanonicalRequest, Payload, SignableRequest, SigningParams, SigningSettings, sign_headers,
    };
    let s = S3Presign::new(None);
    let path = format!("/{KEY}");
    let host = s.bucket.host().to_owned();
    let h1 = [("host", host.as_str())];
    let h3 = [
        ("host", host.as_str()),
        ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
        ("x-amz-date", "20130524T000000Z"),
    ];
    let settings = SigningSettings::s3();
    let params = SigningParams::new(&s.signer, REGION, "s3", s.now).with_settings(settings);
    let creq = CanonicalRequest::from_request(
        &SignableRequest::new("GET", &path, "", &h3, Payload::Unsigned),
        &settings,
    )
    .unwrap();
    let fs: [&dyn Fn(); 4] = [
        &|| {
            let req = SignableRequest::new("GET", black_box(&path), "", &h1, Payload::Unsigned);
            drop(black_box(sign_headers(&req, &params).unwrap()));
        },
        &|| {
            let req = SignableRequest::new("GET", black_box(&path), "", &h3, Payload::Unsigned);
            drop(black_box(
                CanonicalRequest::from_request(&req, &settings).unwrap(),
            ));
        },
        &|| {
            black_box(black_box(&creq).digest());
        },
        &|| {
            let mut s = String::with_capacity(256);
            s.push_str(black_box("x"));
            drop(black_box(s));
        },
    ];
    let m = interleaved(&fs, 100, 200);
    println!(
        "sign_headers {:.0} ns, canonical request build {:.0} ns, its digest {:.0} ns, malloc+free {:.0} ns",
        m[0], m[1], m[2], m[3]
    );
}
