import { createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The key of an HMAC as a `KeyObject`, made once per key bytes.
 *
 * Node 24's `createHmac` takes a `KeyObject` at once, but tells a Buffer or string key from a `KeyObject` by catching
 * a thrown brand check (`isKeyObject` in `lib/internal/crypto/keys.js`, Node 24.21.0): on this machine an HMAC of a
 * 300-byte message cost 32 µs with a Buffer key and 6 µs with a `KeyObject` (Node 20: 7 µs either way). Every AWS
 * request signs one HMAC and every webhook verifies one, so the hot paths hand `createHmac` a `KeyObject`.
 *
 * Bytes are remembered by identity: the SDK's signer hands the same cached signing key to every request of a day.
 * Text (a shared secret, the signer's first key of a day) by value, a few at a time.
 */
const byBytes = new WeakMap<ArrayBuffer | ArrayBufferView, KeyObject>();
const byText = new Map<string, KeyObject>();
const textKept = 64;

export const hmacKey = (secret: string | ArrayBuffer | ArrayBufferView): KeyObject => {
  if (typeof secret === 'string') {
    let key = byText.get(secret);
    if (!key) {
      if (byText.size >= textKept) byText.clear();
      key = createSecretKey(Buffer.from(secret, 'utf8'));
      byText.set(secret, key);
    }
    return key;
  }
  let key = byBytes.get(secret);
  if (!key) {
    key = createSecretKey(
      ArrayBuffer.isView(secret)
        ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
        : new Uint8Array(secret),
    );
    byBytes.set(secret, key);
  }
  return key;
};
