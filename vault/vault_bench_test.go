package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"path/filepath"
	"testing"
)

// The cost of envelope encryption against the machine's raw AES-256-GCM:
// go test ./vault -bench . -benchtime 2s
func benchKeys(b *testing.B) *KeyRing {
	k, err := CreateKeyFile(filepath.Join(b.TempDir(), "keys"))
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func BenchmarkRawAESGCM1MiB(b *testing.B) {
	key, data := make([]byte, 32), make([]byte, 1<<20)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, 12)
	out := make([]byte, 0, len(data)+16)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		out = gcm.Seal(out[:0], nonce, data, nil)
	}
}

// BenchmarkEnvelopeSeal1MiB: a fresh data key, wrapped by the KEK, then
// the file sealed (what Put does before writing).
func BenchmarkEnvelopeSeal1MiB(b *testing.B) {
	k := benchKeys(b)
	data := make([]byte, 1<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		dk := make([]byte, 32)
		rand.Read(dk)
		if _, _, err := k.Wrap(dk); err != nil {
			b.Fatal(err)
		}
		if _, err := seal(dk, data, []byte("file:x")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnvelopeOpen1MiB: unwrap the data key, open the file (what Get
// does after reading).
func BenchmarkEnvelopeOpen1MiB(b *testing.B) {
	k := benchKeys(b)
	data := make([]byte, 1<<20)
	dk := make([]byte, 32)
	rand.Read(dk)
	wrapped, id, _ := k.Wrap(dk)
	sealed, _ := seal(dk, data, []byte("file:x"))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		key, err := k.Unwrap(wrapped, id)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := open(key, sealed, []byte("file:x")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVaultPutGet1MiB: the whole path with the disk (tmpfs or not).
func BenchmarkVaultPutGet1MiB(b *testing.B) {
	v, err := New(b.TempDir(), benchKeys(b))
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 1<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s, err := v.Put(data, true)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Get(s); err != nil {
			b.Fatal(err)
		}
		v.Remove(s.Name)
	}
}
