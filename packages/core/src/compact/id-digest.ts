import { hash } from 'node:crypto';

const LANES = 8;

/**
 * An order-independent digest of a multiset of ids: how many, and the sum of
 * their SHA-256 digests lane by lane (eight 32-bit lanes, each modulo 2^32).
 * Two multisets with the same digest hold the same ids the same number of
 * times, short of a SHA-256 collision. It takes constant memory, so a file
 * of any size is checked without holding its ids.
 */
export class IdDigest {
  count = 0;
  private readonly lanes = new Uint32Array(LANES);

  add(id: string): void {
    const digest = hash('sha256', id, 'buffer');
    for (let i = 0; i < LANES; i++) this.lanes[i] = (this.lanes[i]! + digest.readUInt32LE(i * 4)) >>> 0;
    this.count++;
  }

  merge(other: IdDigest): void {
    for (let i = 0; i < LANES; i++) this.lanes[i] = (this.lanes[i]! + other.lanes[i]!) >>> 0;
    this.count += other.count;
  }

  /** `<count>:<hex>`, kept in markers. */
  toString(): string {
    return `${this.count}:${Buffer.from(this.lanes.buffer, this.lanes.byteOffset, this.lanes.byteLength).toString('hex')}`;
  }

  equals(other: IdDigest): boolean {
    return this.toString() === other.toString();
  }
}
