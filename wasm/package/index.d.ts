export interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
export interface Options {
  bucket: string; key: string; region: string; endpoint?: string;
  addressingStyle?: "auto" | "virtual" | "path";
  expiresIn: number; credentials: Credentials; time: Date;
  headers?: Record<string, string>; versionId?: string;
  response?: { contentType?: string; contentDisposition?: string; cacheControl?: string;
    contentEncoding?: string; contentLanguage?: string; expires?: string };
}
export interface PutOptions extends Options { contentType?: string; contentTypeMode?: "signed" | "unsigned" }
export interface PostOptions extends Omit<Options, "headers" | "versionId" | "response"> {
  contentType?: string; contentLengthRange?: [number, number];
}
export interface HeaderOptions extends Omit<Options, "expiresIn" | "versionId" | "response"> {
  method?: string; payloadHash?: string;
}
export interface Presigned { method: string; url: string; headers: Record<string, string>; expiresAt: Date | null }
export interface PresignedPost extends Presigned { fields: Record<string, string> }
export function presignGet(options: Options): Presigned;
export function presignPut(options: PutOptions): Presigned;
export function presignPost(options: PostOptions): PresignedPost;
export function signHeaders(options: HeaderOptions): Presigned;
