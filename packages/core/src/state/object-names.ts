import { createHash } from 'node:crypto';

const BYTES = 32;

/** The digest of no names. */
export const NO_NAMES = '0'.repeat(BYTES * 2);

/**
 * An order-independent digest of a set of object keys: the XOR of their SHA-256.
 * Two sets with equal digests hold the same keys (a listing holds each key once),
 * so a folder that lost one named object and gained a stray is told apart from a
 * folder holding just the named ones, which counting alone cannot do.
 */
export function namesDigest(keys: Iterable<string>): string {
  let digest = NO_NAMES;
  for (const key of keys) digest = xorDigests(digest, createHash('sha256').update(key, 'utf8').digest('hex'));
  return digest;
}

/** The digest of the union of two disjoint sets of names. */
export function xorDigests(a: string, b: string): string {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  for (let i = 0; i < BYTES; i++) x[i] = (x[i] ?? 0) ^ (y[i] ?? 0);
  return x.toString('hex');
}
