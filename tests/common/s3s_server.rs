//! A real, signature-verifying S3 server for tests: s3s + s3s-fs served in-process on
//! `127.0.0.1:0`, data in a fresh temporary directory.
//!
//! ```ignore
//! mod common;
//! let (endpoint, server, dir) = common::s3s_server::start("AKIDEXAMPLE", "secret").await;
//! common::s3s_server::create_bucket(&dir, "bucket");
//! // endpoint == "http://127.0.0.1:PORT" (path style). Virtual-hosted style: send
//! // `Host: BUCKET.localhost:PORT` (see `ServerHandle::virtual_host_base`).
//! ```
//!
//! Addressing: the service is given the base domain `localhost:PORT`, so a request whose
//! `Host` is `BUCKET.localhost:PORT` is virtual-hosted, while `localhost:PORT` and
//! `127.0.0.1:PORT` are path style. The server is stopped when the handle is dropped.

use std::net::SocketAddr;
use std::path::Path;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::host::SingleDomain;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The running server. Dropping it stops accepting connections.
#[derive(Debug)]
pub struct ServerHandle {
    /// The socket the server listens on (always 127.0.0.1).
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl ServerHandle {
    /// `localhost:PORT`: the base domain for virtual-hosted requests
    /// (`Host: BUCKET.localhost:PORT`).
    pub fn virtual_host_base(&self) -> String {
        format!("localhost:{}", self.addr.port())
    }

    /// `http://localhost:PORT`: an endpoint URL for which virtual-hosted addressing works
    /// (connect to [`Self::addr`]; the name is only used in the `Host` header).
    pub fn virtual_host_endpoint(&self) -> String {
        format!("http://localhost:{}", self.addr.port())
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts s3s-fs with one access key and secret, storing data in a new temporary
/// directory. Returns the path-style endpoint URL (`http://127.0.0.1:PORT`), the handle
/// (keep it alive) and the directory (keep it alive too; buckets are its subdirectories).
///
/// # Panics
/// If the port cannot be bound or the service cannot be built (test setup failure).
pub async fn start(access_key: &str, secret: &str) -> (String, ServerHandle, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let fs = s3s_fs::FileSystem::new(dir.path()).expect("s3s-fs root");
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");

    let service = {
        let mut b = S3ServiceBuilder::new(fs);
        b.set_auth(SimpleAuth::from_single(access_key, secret.to_owned()));
        b.set_host(SingleDomain::new(&format!("localhost:{}", addr.port())).expect("base domain"));
        b.build()
    };

    let task = tokio::spawn(async move {
        let http = ConnBuilder::new(TokioExecutor::new());
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let conn = http
                .serve_connection(TokioIo::new(socket), service.clone())
                .into_owned();
            tokio::spawn(async move {
                let _ = conn.await;
            });
        }
    });
    (format!("http://{addr}"), ServerHandle { addr, task }, dir)
}

/// Creates a bucket: for s3s-fs a bucket is a directory under the data root.
///
/// # Panics
/// If the directory cannot be created.
pub fn create_bucket(dir: &tempfile::TempDir, name: &str) {
    std::fs::create_dir(dir.path().join(name)).expect("create bucket directory");
}

/// The file s3s-fs stores an object in (for tests that check what reached the disk).
pub fn object_path(dir: &tempfile::TempDir, bucket: &str, key: &str) -> std::path::PathBuf {
    Path::new(dir.path()).join(bucket).join(key)
}
