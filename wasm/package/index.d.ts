/** AWS credentials; `sessionToken` for temporary ones. */
export interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
type Style = "auto" | "virtual" | "path";

/** What to sign. Every function needs bucket, key, region, credentials and time. */
export interface Options {
  bucket: string; key: string; region: string;
  /** S3-compatible store, `http(s)://host[:port][/base-path]`; AWS when absent. */
  endpoint?: string;
  addressingStyle?: Style;
  /** Seconds the URL stays valid, 1 to 604800 (not used by signHeaders). */
  expiresIn: number;
  credentials: Credentials;
  /** The signing time (the runtime's clock is not read). */
  time: Date;
  /** Headers the request will send, signed with it. */
  headers?: Record<string, string>;
  versionId?: string;
  /** Headers S3 should answer a GET with (`response-*` query parameters). */
  response?: { contentType?: string; contentDisposition?: string; cacheControl?: string;
    contentEncoding?: string; contentLanguage?: string; expires?: string };
}

export interface PutOptions extends Options {
  contentType?: string;
  /** "signed" (default): the upload must send this Content-Type; "unsigned": any. */
  contentTypeMode?: "signed" | "unsigned";
}

export interface PostOptions extends Omit<Options, "headers" | "versionId" | "response"> {
  /** An exact Content-Type the form must carry. */
  contentType?: string;
  /** Allowed upload size in bytes, [min, max]. */
  contentLengthRange?: [number, number];
}

export interface HeaderOptions extends Omit<Options, "expiresIn" | "versionId" | "response"> {
  /** Default "GET". */
  method?: string;
  /** Hex SHA-256 of the body; default "UNSIGNED-PAYLOAD". */
  payloadHash?: string;
}

/** A signed request: send `method` to `url` with `headers`. */
export interface Presigned {
  method: string; url: string; headers: Record<string, string>;
  /** When the URL stops working; null for signHeaders. */
  expiresAt: Date | null;
}

/** `url` and the form `fields`, in order, to send before the file. */
export interface PresignedPost extends Presigned { fields: Record<string, string> }

/** A presigned GET URL. Bad options throw an Error saying what was wrong (all functions). */
export function presignGet(options: Options): Presigned;
/** A presigned PUT URL; `headers` of the result must be sent with the upload. */
export function presignPut(options: PutOptions): Presigned;
/** A presigned POST form for browsers. */
export function presignPost(options: PostOptions): PresignedPost;
/** Signs a request with an Authorization header (headers to send include it). */
export function signHeaders(options: HeaderOptions): Presigned;
