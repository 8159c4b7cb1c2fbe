//! `s3presign cp`, `ls` and `rm` end to end against the in-process S3 server: the binary
//! runs as a child with credentials in its environment and `--endpoint-url`.

#[path = "common/bucket_config_server.rs"]
mod server;

use std::process::{Command, Output, Stdio};

use s3presign::Credentials;
use s3presign::client::{ChecksumAlgorithm, Client, PutObject};
use s3presign::s3::Endpoint;
use sha2::{Digest, Sha256};

const MIB: usize = 1024 * 1024;

struct Ctx {
    srv: server::Server,
    client: Client,
    home: tempfile::TempDir,
}

async fn ctx(bucket: &str) -> Ctx {
    let srv = server::start().await;
    let client = Client::builder()
        .endpoint(Endpoint::custom(&srv.endpoint, "us-east-1").unwrap())
        .static_credentials(Credentials::new(server::ACCESS_KEY, server::SECRET_KEY))
        .build()
        .unwrap();
    client.create_bucket(bucket).await.unwrap();
    Ctx {
        srv,
        client,
        home: tempfile::tempdir().unwrap(),
    }
}

/// Runs `s3presign ARGS --endpoint-url ... --path-style` with stdin closed.
async fn cli(c: &Ctx, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3presign"));
    cmd.args(args)
        .args(["--endpoint-url", &c.srv.endpoint, "--path-style"])
        .env_clear()
        .env("HOME", c.home.path())
        .env("AWS_ACCESS_KEY_ID", server::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", server::SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .stdin(Stdio::null());
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Exactly one line on stderr, and the exit status.
fn one_line_error(out: &Output, status: i32) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(status), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cp_both_ways_ls_and_rm() {
    let c = ctx("cli-bucket").await;
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..12 * MIB + 5).map(|i| (i * 7 % 253) as u8).collect();
    let src = dir.path().join("video.mp4");
    std::fs::write(&src, &data).unwrap();
    let src_s = src.to_str().unwrap();

    let out = cli(
        &c,
        &["cp", src_s, "s3://cli-bucket/videos/", "--part-size", "5"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        out.stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("s3://cli-bucket/videos/video.mp4"));
    let stored = c
        .client
        .get_object("cli-bucket", "videos/video.mp4")
        .await
        .unwrap();
    assert_eq!(Sha256::digest(&stored.body), Sha256::digest(&data));

    c.client
        .put_object("cli-bucket", "top.txt", b"hi".to_vec(), &PutObject::new())
        .await
        .unwrap();
    let out = cli(&c, &["ls", "s3://cli-bucket"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert!(listing.contains("PRE videos/"), "{listing}");
    assert!(
        listing.lines().any(|l| l.ends_with(" 2 top.txt")),
        "{listing}"
    );
    let out = cli(
        &c,
        &["ls", "s3://cli-bucket/videos/", "--recursive", "--json"],
    )
    .await;
    let line: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(line["key"], "videos/video.mp4");
    assert_eq!(line["size"], data.len() as u64);

    let back = dir.path().join("back");
    std::fs::create_dir(&back).unwrap();
    let args = [
        "cp",
        "s3://cli-bucket/videos/video.mp4",
        back.to_str().unwrap(),
        "--part-size",
        "5",
    ];
    let out = cli(&c, &args).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let copy = std::fs::read(back.join("video.mp4")).unwrap();
    assert_eq!(Sha256::digest(&copy), Sha256::digest(&data));

    // --recursive without a terminal and without --yes deletes nothing.
    let out = cli(&c, &["rm", "s3://cli-bucket/", "--recursive"]).await;
    let err = one_line_error(&out, 2);
    assert!(err.contains("2 objects") && err.contains("--yes"), "{err}");
    c.client.head_object("cli-bucket", "top.txt").await.unwrap();
    let out = cli(
        &c,
        &["rm", "s3://cli-bucket/videos/", "--recursive", "--yes"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("deleted 1 objects"));
    let out = cli(&c, &["rm", "s3://cli-bucket/top.txt"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = cli(&c, &["ls", "s3://cli-bucket", "--recursive"]).await;
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "{}",
        text(&out.stdout)
    );
}

/// `cp --checksum`: the object is stored with the checksum asked for (CRC64NVME by default).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cp_sends_the_checksum_asked_for() {
    let c = ctx("cli-sums").await;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("small.txt");
    std::fs::write(&src, b"checksummed bytes").unwrap();
    let src = src.to_str().unwrap();
    for (flag, expected) in [
        (None, ChecksumAlgorithm::Crc64Nvme),
        (Some("crc32"), ChecksumAlgorithm::Crc32),
        (Some("crc32c"), ChecksumAlgorithm::Crc32c),
        (Some("sha256"), ChecksumAlgorithm::Sha256),
    ] {
        let key = format!("s3://cli-sums/{}", flag.unwrap_or("default"));
        let mut args = vec!["cp", src, &key];
        args.extend(flag.iter().flat_map(|f| ["--checksum", *f]));
        let out = cli(&c, &args).await;
        assert!(out.status.success(), "{flag:?}: {}", text(&out.stderr));
        let meta = c
            .client
            .head_object("cli-sums", flag.unwrap_or("default"))
            .await
            .unwrap();
        assert_eq!(
            meta.checksum,
            Some(expected.checksum(b"checksummed bytes")),
            "{flag:?}"
        );
    }
    let out = cli(&c, &["cp", src, "s3://cli-sums/x", "--checksum", "md5"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_server_errors_are_one_line() {
    let c = ctx("cli-errors").await;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("a.txt");
    std::fs::write(&local, b"x").unwrap();
    let l = local.to_str().unwrap();
    for args in [
        vec!["cp", l, l],
        vec!["cp", "s3://cli-errors/a", "s3://cli-errors/b"],
        vec!["cp", l, "s3://cli-errors/k", "--part-size", "1"],
        vec!["cp", "/no/such/file", "s3://cli-errors/k"],
        vec!["ls", "cli-errors"],
        vec!["rm", "s3://cli-errors"],
        vec!["cp", l],
    ] {
        one_line_error(&cli(&c, &args).await, 2);
    }
    // A missing object: a server error, one line, status 1, nothing written.
    let dest = dir.path().join("never.bin");
    let out = cli(
        &c,
        &["cp", "s3://cli-errors/missing", dest.to_str().unwrap()],
    )
    .await;
    one_line_error(&out, 1);
    assert!(!dest.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no partial file"
    );
    let out = cli(&c, &["ls", "s3://no-such-bucket-here"]).await;
    one_line_error(&out, 1);
}

// ---------------------------------------------------------------------------------------
// Ctrl-C: the server delays parts and ranges so that the signal arrives mid-transfer.

#[cfg(unix)]
mod interrupt {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// Delays UploadPart and ranged GETs by 2 s; records upload ids and counts them.
    #[derive(Clone)]
    struct Slow {
        uploads: Arc<Mutex<BTreeSet<String>>>,
        slowed: Arc<AtomicU64>,
    }

    impl server::Intercept for Slow {
        fn intercept(
            &self,
            inner: &s3s::service::S3Service,
            req: http::Request<hyper::body::Incoming>,
        ) -> server::Answer {
            let query = req.uri().query().unwrap_or("").to_owned();
            let part = req.method() == http::Method::PUT && query.contains("partNumber=");
            let range = req.headers().contains_key("range");
            if part {
                let id = query.split('&').find_map(|p| p.strip_prefix("uploadId="));
                self.uploads
                    .lock()
                    .unwrap()
                    .insert(id.unwrap_or("").to_owned());
            }
            let slow = part || range;
            if slow {
                self.slowed.fetch_add(1, Ordering::SeqCst);
            }
            let fut = server::pass(inner, req);
            Box::pin(async move {
                if slow {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                fut.await
            })
        }
    }

    struct SlowCtx {
        c: Ctx,
        uploads: Arc<Mutex<BTreeSet<String>>>,
        slowed: Arc<AtomicU64>,
    }

    async fn slow_ctx(bucket: &str) -> SlowCtx {
        let uploads = Arc::new(Mutex::new(BTreeSet::new()));
        let slowed = Arc::new(AtomicU64::new(0));
        let (u2, s2) = (Arc::clone(&uploads), Arc::clone(&slowed));
        let srv = server::start_intercepted(Slow {
            uploads: u2,
            slowed: s2,
        })
        .await;
        let client = Client::builder()
            .endpoint(Endpoint::custom(&srv.endpoint, "us-east-1").unwrap())
            .static_credentials(Credentials::new(server::ACCESS_KEY, server::SECRET_KEY))
            .build()
            .unwrap();
        client.create_bucket(bucket).await.unwrap();
        let c = Ctx {
            srv,
            client,
            home: tempfile::tempdir().unwrap(),
        };
        SlowCtx { c, uploads, slowed }
    }

    /// Starts the CLI, sends SIGINT once the server holds a slowed request, and waits.
    async fn interrupt(s: &SlowCtx, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3presign"));
        cmd.args(args)
            .args([
                "--endpoint-url",
                &s.c.srv.endpoint,
                "--path-style",
                "--no-progress",
            ])
            .env_clear()
            .env("HOME", s.c.home.path())
            .env("AWS_ACCESS_KEY_ID", server::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", server::SECRET_KEY)
            .env("AWS_REGION", "us-east-1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn().unwrap();
        for _ in 0..200 {
            if s.slowed.load(Ordering::SeqCst) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert!(
            s.slowed.load(Ordering::SeqCst) > 0,
            "the transfer never started"
        );
        let pid = i32::try_from(child.id()).unwrap();
        send_sigint(pid);
        tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap()
    }

    /// Ctrl-C, as `kill -INT PID` (no unsafe libc call in the tests).
    fn send_sigint(pid: i32) {
        let st = Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap();
        assert!(st.success(), "kill -INT {pid}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ctrl_c_during_cp_aborts_the_upload() {
        let s = slow_ctx("cli-int-up").await;
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("big.bin");
        std::fs::write(&src, vec![7u8; 12 * MIB]).unwrap();
        let args = [
            "cp",
            src.to_str().unwrap(),
            "s3://cli-int-up/big.bin",
            "--part-size",
            "5",
        ];
        let out = interrupt(&s, &args).await;
        assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
        let ids = s.uploads.lock().unwrap().clone();
        assert_eq!(ids.len(), 1);
        for id in ids {
            let e =
                s.c.client
                    .list_parts("cli-int-up", "big.bin", &id)
                    .await
                    .unwrap_err();
            assert!(e.is_not_found(), "the upload was not aborted: {e:?}");
        }
        let e =
            s.c.client
                .head_object("cli-int-up", "big.bin")
                .await
                .unwrap_err();
        assert!(e.is_not_found());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ctrl_c_during_cp_leaves_no_partial_file() {
        let s = slow_ctx("cli-int-down").await;
        let body = vec![9u8; 12 * MIB];
        s.c.client
            .put_object("cli-int-down", "big.bin", body, &PutObject::new())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("big.bin");
        let args = [
            "cp",
            "s3://cli-int-down/big.bin",
            dest.to_str().unwrap(),
            "--part-size",
            "5",
        ];
        let out = interrupt(&s, &args).await;
        assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no file left"
        );
    }
}

/// The progress bar: drawn when stderr is a terminal (here a pseudo-terminal, as an
/// interactive shell gives), absent when stderr is a pipe.
#[cfg(unix)]
mod progress_bar {
    use super::*;
    use std::io::Read;

    use rustix::fs::{Mode, OFlags};
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};

    /// Runs `s3presign ARGS` with stderr on a new pseudo-terminal (stdout piped): the exit
    /// status and every byte written to the terminal.
    async fn cli_on_a_terminal(c: &Ctx, args: &[&str]) -> (std::process::ExitStatus, Vec<u8>) {
        let flags = OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC;
        let controller = openpt(flags).unwrap();
        grantpt(&controller).unwrap();
        unlockpt(&controller).unwrap();
        let name = ptsname(&controller, Vec::new()).unwrap();
        let terminal = rustix::fs::open(
            name.as_c_str(),
            OFlags::RDWR | OFlags::NOCTTY,
            Mode::empty(),
        )
        .unwrap();
        let size = rustix::termios::Winsize {
            ws_row: 24,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        rustix::termios::tcsetwinsize(&terminal, size).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3presign"));
        cmd.args(args)
            .args(["--endpoint-url", &c.srv.endpoint, "--path-style"])
            .env_clear()
            .env("HOME", c.home.path())
            .env("AWS_ACCESS_KEY_ID", server::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", server::SECRET_KEY)
            .env("AWS_REGION", "us-east-1")
            .env("TERM", "xterm")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::from(terminal)));
        let mut child = cmd.spawn().unwrap();
        // Only the child holds the terminal side now: reading the controller ends (EIO on
        // Linux) once the child has exited.
        drop(cmd);
        let mut controller = std::fs::File::from(controller);
        let reader = std::thread::spawn(move || {
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = controller.read(&mut buf) {
                seen.extend_from_slice(&buf[..n]);
            }
            seen
        });
        let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap();
        (status, reader.join().unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn drawn_on_a_terminal_and_absent_when_piped() {
        let c = ctx("cli-bar").await;
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("bar.bin");
        std::fs::write(&src, vec![3u8; 12 * MIB]).unwrap();
        let src = src.to_str().unwrap();
        let args = ["cp", src, "s3://cli-bar/bar.bin", "--part-size", "5"];

        let (status, terminal) = cli_on_a_terminal(&c, &args).await;
        let terminal = text(&terminal);
        assert!(status.success(), "{terminal}");
        // indicatif's bar: its cells and the byte counts of the template.
        assert!(terminal.contains('█'), "no bar drawn: {terminal:?}");
        assert!(
            terminal.contains(" MiB/12.00 MiB"),
            "no byte count drawn: {terminal:?}"
        );

        let out = cli(&c, &args).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            out.stderr.is_empty(),
            "a bar drawn into a pipe: {:?}",
            text(&out.stderr)
        );
        let stored = c.client.head_object("cli-bar", "bar.bin").await.unwrap();
        assert_eq!(stored.content_length, 12 * MIB as u64);
    }
}
