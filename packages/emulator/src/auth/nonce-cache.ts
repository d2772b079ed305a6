/**
 * Remembers signature nonces in two generations that rotate every `windowMs` (or sooner, after
 * `maxPerGeneration` nonces, to bound memory under sustained load), so a nonce is refused for at
 * least one window after it was first seen. Each check is O(1).
 */
export function createNonceWindow(windowMs: number, maxPerGeneration = 500_000): (nonce: string) => boolean {
  let current = new Set<string>();
  let previous = new Set<string>();
  let rotatedAt = Date.now();
  return (nonce) => {
    const now = Date.now();
    if (now - rotatedAt >= windowMs || current.size >= maxPerGeneration) {
      previous = current;
      current = new Set();
      rotatedAt = now;
    }
    if (current.has(nonce) || previous.has(nonce)) return false;
    current.add(nonce);
    return true;
  };
}
