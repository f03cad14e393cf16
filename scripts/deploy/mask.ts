/** Shortest secret whose last four characters are shown when masked. */
const MIN_PARTLY_SHOWN = 16;

/**
 * Masks a secret for printing: `AKIDabcdefgh12345678` becomes `****5678`.
 * That tells two keys apart and shows at most a quarter of the secret. A
 * secret shorter than 16 characters becomes `****`.
 */
export function maskSecret(secret: string): string {
  if (secret.length < MIN_PARTLY_SHOWN) return "****";
  return `****${secret.slice(-4)}`;
}

/** Masks each key of a comma-separated list such as ORDER_API_KEYS. */
export function maskList(list: string): string {
  return list
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map(maskSecret)
    .join(",");
}

/** Masks the password of a URL such as `postgres://user:password@host/db`. */
export function maskUrlPassword(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return maskSecret(value);
  }
  if (url.password === "") return value;
  url.password = "****";
  return url.toString();
}
