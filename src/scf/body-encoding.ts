/**
 * Base64 and UTF-8 checks for HTTP bodies. API Gateway sends a body that is
 * not text as standard base64 (RFC 4648 section 4) with `isBase64Encoded`.
 */

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

const paddedBase64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard base64, with or without `=` padding, to bytes. Returns
 * undefined when `text` contains other characters or has an impossible
 * length, where `Buffer.from` would silently skip or truncate.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const missingPadding = (4 - (text.length % 4)) % 4;
  if (missingPadding === 3) return undefined;

  const padded = text.includes("=") ? text : text + "=".repeat(missingPadding);
  if (!paddedBase64.test(padded)) return undefined;
  return Buffer.from(padded, "base64");
}

/** Decodes bytes as UTF-8, or returns undefined if they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
