//! Query-string authentication: the `X-Amz-*` parameters of a presigned request, written by
//! one function ([`write_query`]) for the S3 presigner, its batch and the generic
//! [`presign`](super::presign).
//!
//! The parameter names live here and nowhere else; a new signing parameter or algorithm
//! changes this file (and the string to sign).

use core::cmp::Ordering;

use super::text::{Set, Sink, push_hex32, push_u64, uri_encode_bytes_into};
use super::{ALGORITHM, Scope, Signature, TERMINATOR};

macro_rules! params {
    ($( $(#[$doc:meta])* $konst:ident = $name:literal, )*) => {
        /// The names of the query-string authentication parameters, as AWS spells them.
        ///
        /// ```
        /// use s3presign::sigv4::param;
        /// assert_eq!(param::SIGNATURE, "X-Amz-Signature");
        /// assert!(param::ALL.contains(&"X-Amz-Credential"));
        /// ```
        pub mod param {
            $( $(#[$doc])* pub const $konst: &str = $name; )*
            /// Every parameter set by the signer.
            pub const ALL: [&str; 7] = [$($konst),*];
        }
        /// `&{name}=` of each parameter: one put instead of three.
        mod prefix {
            $( pub(super) const $konst: &str = concat!("&", $name, "="); )*
        }
        /// `{algorithm name}={algorithm}&{credential name}=`, the constant start of every
        /// query without operation parameters.
        #[cfg(not(target_arch = "wasm32"))]
        const FIRST_TWO: &str = params!(@first_two $($name,)*);
    };
    (@first_two $algorithm:literal, $credential:literal, $($rest:literal,)*) => {
        concat!($algorithm, "=", algorithm!(), "&", $credential, "=")

    };
}

params! {
    /// `AWS4-HMAC-SHA256`.
    ALGORITHM = "X-Amz-Algorithm",
    /// `{access key id}/{scope}`.
    CREDENTIAL = "X-Amz-Credential",
    /// The request time, `YYYYMMDDTHHMMSSZ`.
    DATE = "X-Amz-Date",
    /// Seconds the request stays valid.
    EXPIRES = "X-Amz-Expires",
    /// The session token of temporary credentials.
    SECURITY_TOKEN = "X-Amz-Security-Token",
    /// The signed header names joined by `;`.
    SIGNED_HEADERS = "X-Amz-SignedHeaders",
    /// The signature, always last.
    SIGNATURE = "X-Amz-Signature",
}

/// Whether `name` is one of the parameters the signer sets (ASCII case-insensitive).
pub(crate) fn is_reserved_query_name(name: &str) -> bool {
    param::ALL.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// The signed header names as a query value.
pub(crate) trait SignedHeaderNames {
    /// Writes the names joined by `;`, query-encoded (`%3B` between names).
    fn write_encoded<S: Sink>(&self, out: &mut S);
}

/// Only `host` is signed (every plain presigned GET).
pub(crate) struct HostOnly;

impl SignedHeaderNames for HostOnly {
    #[inline]
    fn write_encoded<S: Sink>(&self, out: &mut S) {
        out.put("host");
    }
}

/// Names already joined by `;` (a canonical request's fifth line).
pub(crate) struct Joined<'a>(pub(crate) &'a [u8]);

impl SignedHeaderNames for Joined<'_> {
    fn write_encoded<S: Sink>(&self, out: &mut S) {
        // Names are tokens that may hold `&`, `#`, `%`, `+`, ...: encoded like any value.
        uri_encode_bytes_into(out, self.0, Set::Query);
    }
}

/// The values of the signing parameters, ready to write: the access key id and the token
/// are already query-encoded (a [`Signer`](super::Signer) encodes them once).
pub(crate) struct QueryAuth<'a, H> {
    pub(crate) encoded_access_key_id: &'a str,
    pub(crate) scope: Scope<'a>,
    pub(crate) expires: u64,
    /// The encoded token when it is signed; `None` without a token or when it is appended
    /// after signing.
    pub(crate) encoded_session_token: Option<&'a str>,
    pub(crate) signed_headers: H,
}

/// One parameter of the operation, merged into the canonical query in sorted order.
pub(crate) trait UserParam {
    /// This parameter's encoded name against an `X-Amz-*` name (which encodes to itself).
    fn cmp_name(&self, name: &str) -> Ordering;
    /// Writes `name=value`, encoded.
    fn write<S: Sink>(&self, out: &mut S);
}

/// An already encoded `(name, value)`.
impl UserParam for (alloc::string::String, alloc::string::String) {
    fn cmp_name(&self, name: &str) -> Ordering {
        self.0.as_str().cmp(name)
    }

    fn write<S: Sink>(&self, out: &mut S) {
        out.put(&self.0);
        out.put("=");
        out.put(&self.1);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Algorithm,
    Credential,
    Date,
    Expires,
    SecurityToken,
    SignedHeaders,
}

/// The parameters in canonical (sorted) order, with their `&name=` prefixes.
const ORDER: [(&str, &str, Part); 6] = [
    (param::ALGORITHM, prefix::ALGORITHM, Part::Algorithm),
    (param::CREDENTIAL, prefix::CREDENTIAL, Part::Credential),
    (param::DATE, prefix::DATE, Part::Date),
    (param::EXPIRES, prefix::EXPIRES, Part::Expires),
    (
        param::SECURITY_TOKEN,
        prefix::SECURITY_TOKEN,
        Part::SecurityToken,
    ),
    (
        param::SIGNED_HEADERS,
        prefix::SIGNED_HEADERS,
        Part::SignedHeaders,
    ),
];

/// Writes the canonical query: the signing parameters (all but the signature) merged in
/// sorted order with `user`, which must be sorted by encoded name, then encoded value.
/// The same text is the query line of the canonical request and the query sent.
pub(crate) fn write_query<S, H, I>(out: &mut S, auth: &QueryAuth<'_, H>, user: I)
where
    S: Sink,
    H: SignedHeaderNames,
    I: IntoIterator,
    I::Item: UserParam,
{
    let mut user = user.into_iter().peekable();
    // Without operation parameters the constant text between the values is merged (11 puts
    // instead of 18); left out of WebAssembly builds, which favour size.
    #[cfg(not(target_arch = "wasm32"))]
    if user.peek().is_none() {
        write_auth_only(out, auth);
        return;
    }
    let mut first = true;
    for (name, prefix, part) in ORDER {
        if part == Part::SecurityToken && auth.encoded_session_token.is_none() {
            continue;
        }
        while let Some(p) = user.next_if(|p| p.cmp_name(name) == Ordering::Less) {
            if !first {
                out.put("&");
            }
            first = false;
            p.write(out);
        }
        // `prefix` is `&name=`: the first parameter goes without its `&`.
        out.put(if first { &prefix[1..] } else { prefix });
        first = false;
        write_value(out, auth, part);
    }
    for p in user {
        out.put("&");
        p.write(out);
    }
}

/// [`write_query`] without operation parameters: the same text in fewer puts (the constant
/// text between the values is merged: 11 puts instead of 18).
#[cfg(not(target_arch = "wasm32"))]
#[inline]
fn write_auth_only<S, H>(out: &mut S, auth: &QueryAuth<'_, H>)
where
    S: Sink,
    H: SignedHeaderNames,
{
    out.put(FIRST_TWO);
    out.put(auth.encoded_access_key_id);
    out.put("%2F");
    write_encoded_scope(out, &auth.scope);
    out.put(prefix::DATE);
    out.put(auth.scope.date().as_str());
    out.put(prefix::EXPIRES);
    push_u64(out, auth.expires);
    if let Some(t) = auth.encoded_session_token {
        out.put(prefix::SECURITY_TOKEN);
        out.put(t);
    }
    out.put(prefix::SIGNED_HEADERS);
    auth.signed_headers.write_encoded(out);
}

#[inline]
fn write_value<S, H>(out: &mut S, auth: &QueryAuth<'_, H>, part: Part)
where
    S: Sink,
    H: SignedHeaderNames,
{
    match part {
        Part::Algorithm => out.put(ALGORITHM),
        Part::Credential => {
            out.put(auth.encoded_access_key_id);
            out.put("%2F");
            write_encoded_scope(out, &auth.scope);
        }
        Part::Date => out.put(auth.scope.date().as_str()),
        Part::Expires => push_u64(out, auth.expires),
        Part::SecurityToken => {
            if let Some(t) = auth.encoded_session_token {
                out.put(t);
            }
        }
        Part::SignedHeaders => auth.signed_headers.write_encoded(out),
    }
}

/// The credential scope as a query value: `/` is `%2F` (the other characters of a scope
/// are unreserved).
#[inline]
fn write_encoded_scope<S: Sink>(out: &mut S, scope: &Scope<'_>) {
    out.put(scope.date().date_str());
    out.put("%2F");
    out.put(scope.region());
    out.put("%2F");
    out.put(scope.service());
    out.put("%2F");
    out.put(TERMINATOR);
}

/// Appends a session token sent after signing ([`SessionTokenMode::AppendedAfterSigning`](
/// super::SessionTokenMode::AppendedAfterSigning)), encoded.
pub(crate) fn write_appended_token<S: Sink>(out: &mut S, encoded_token: &str) {
    out.put(prefix::SECURITY_TOKEN);
    out.put(encoded_token);
}

/// Appends `&X-Amz-Signature=` and the signature: the end of every presigned query.
#[inline]
pub(crate) fn write_signature<S: Sink>(out: &mut S, signature: &Signature) {
    out.put(prefix::SIGNATURE);
    push_hex32(out, signature.as_bytes());
}
