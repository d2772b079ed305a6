import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":1}]},"b":1}',
    );
  });

  it('gives equal text for values equal by value, whatever their key order', () => {
    expect(canonicalJson({ x: 1, y: [1, 2] })).toBe(canonicalJson({ y: [1, 2], x: 1 }));
    expect(canonicalJson({ x: 1 })).not.toBe(canonicalJson({ x: '1' }));
    expect(canonicalJson(undefined)).toBe('null');
  });
});
