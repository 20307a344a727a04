/**
 * A small seeded PRNG (mulberry32): demo tenants must come out identical on every run
 * and machine, which Math.random and crypto.randomUUID cannot give.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A whole number in [0, 2^32). */
  uint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** A version-4-shaped GUID, like Entra object ids. */
  guid(): string {
    // Byte-table formatting: 50,000 users need 50,000 ids, fast.
    const a = this.uint32();
    const b = this.uint32();
    const c = this.uint32();
    const d = this.uint32();
    return (
      hex32(a) + '-' + BYTE_HEX[b >>> 24]! + BYTE_HEX[(b >>> 16) & 0xff]! + '-4' + BYTE_HEX[(b >>> 8) & 0xff]!.slice(1) + BYTE_HEX[b & 0xff]! +
      '-' + VARIANT[c >>> 30]! + BYTE_HEX[(c >>> 24) & 0x3f]!.slice(1) + BYTE_HEX[(c >>> 16) & 0xff]! + '-' + BYTE_HEX[(c >>> 8) & 0xff]! + BYTE_HEX[c & 0xff]! + hex32(d)
    );
  }
}

const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const VARIANT = ['8', '9', 'a', 'b'];
const hex32 = (n: number) => BYTE_HEX[n >>> 24]! + BYTE_HEX[(n >>> 16) & 0xff]! + BYTE_HEX[(n >>> 8) & 0xff]! + BYTE_HEX[n & 0xff]!;

/** FNV-1a: a stable number from a string (the default seed of a tenant is its id). */
export function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
