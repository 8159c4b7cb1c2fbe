//! The object operations a bucket presigns: [`Bucket::get_object`], `put_object`,
//! `delete_object`, `head_object`, `upload_part` and any method with [`Bucket::object`].
//! Each starts a [`Presign`] builder; the bucket itself knows nothing of presigning.

use alloc::string::String;

use super::bucket::Bucket;
use super::presign::Presign;
use crate::error::Error;

impl Bucket {
    /// Presigns a `GetObject` (download).
    pub fn get_object<'a>(&'a self, key: &'a str) -> Presign<'a> {
        Presign::new(self, "GET", key)
    }

    /// Presigns a `PutObject` (upload). Set the content type with
    /// [`Presign::content_type`].
    pub fn put_object<'a>(&'a self, key: &'a str) -> Presign<'a> {
        Presign::new(self, "PUT", key)
    }

    /// Presigns a `DeleteObject`.
    pub fn delete_object<'a>(&'a self, key: &'a str) -> Presign<'a> {
        Presign::new(self, "DELETE", key)
    }

    /// Presigns a `HeadObject`.
    pub fn head_object<'a>(&'a self, key: &'a str) -> Presign<'a> {
        Presign::new(self, "HEAD", key)
    }

    /// Presigns an `UploadPart` of a multipart upload (`PUT ?partNumber=N&uploadId=ID`).
    pub fn upload_part<'a>(
        &'a self,
        key: &'a str,
        upload_id: &'a str,
        part_number: u16,
    ) -> Presign<'a> {
        let mut n = String::new();
        crate::sigv4::text::push_u64(&mut n, u64::from(part_number));
        let p = Presign::new(self, "PUT", key).query("uploadId", upload_id);
        if !(1..=10_000).contains(&part_number) {
            return p.fail(Error::InvalidQueryParameter {
                name: String::from("partNumber"),
                reason: "part numbers are 1..=10000",
            });
        }
        p.query_owned("partNumber", n)
    }

    /// Presigns any method on an object (add operation parameters with [`Presign::query`]).
    pub fn object<'a>(&'a self, method: &'a str, key: &'a str) -> Presign<'a> {
        Presign::new(self, method, key)
    }
}
