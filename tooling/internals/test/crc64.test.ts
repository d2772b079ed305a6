import { describe, expect, it } from 'vitest';
import { crc64 } from '../src/crc64.js';

describe('crc64', () => {
  it('is CRC-64/XZ (the check value of "123456789")', () => {
    expect(BigInt(crc64(Buffer.from('123456789'))).toString(16)).toBe('995dc9bbdf1939fa');
    expect(crc64(Buffer.alloc(0))).toBe('0');
  });
});
