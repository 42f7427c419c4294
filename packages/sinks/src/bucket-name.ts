/**
 * Cloud Storage bucket naming rules (https://cloud.google.com/storage/docs/buckets#naming),
 * checked up front so a typo fails at startup with a clear message, not at the first write.
 */
const CHARS = /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/;
const DOTTED_IP = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Why `name` is not a valid bucket name, or undefined when it is. */
export function bucketNameProblem(name: string): string | undefined {
  const max = name.includes('.') ? 222 : 63;
  if (name.length < 3 || name.length > max) return `it must be 3-${max} characters long`;
  if (!CHARS.test(name)) {
    return 'it may only contain lowercase letters, digits, "-", "_" and ".", and must start and end with a letter or digit';
  }
  if (name.split('.').some((part) => part.length === 0 || part.length > 63)) {
    return 'each dot-separated part must be 1-63 characters long';
  }
  if (DOTTED_IP.test(name)) return 'it must not look like an IP address';
  if (name.startsWith('goog') || /g[o0]{2}g[l1]e/.test(name))
    return 'it must not start with "goog" or contain "google"';
  return undefined;
}
