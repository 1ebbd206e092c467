// Package vault keeps the files attached to documents: stored under
// generated names outside the web root, their type sniffed and checked
// against the extension, their text extracted for search with caps that
// defuse zip bombs, and the files of classified documents encrypted at
// rest with AES-256-GCM envelope encryption: a random data key per file,
// wrapped by a key-encryption key (KEK) kept in a key file outside the
// database.
package vault

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// KeyRing holds the key-encryption keys of a key file. The file has one
// key a line, "<id> <base64 of 32 bytes>"; the last line is the current
// key, which wraps new data keys. Older keys stay until every data key
// they wrapped has been re-wrapped (partyworks keys rotate).
type KeyRing struct {
	path string

	mu      sync.RWMutex
	keys    map[string][]byte
	current string
}

// ErrNoKey is returned when the key file does not hold the key a data key
// was wrapped with.
var ErrNoKey = errors.New("vault: the key file does not hold the key this file was encrypted with")

// OpenKeyRing reads a key file; it must be readable by its owner only.
func OpenKeyRing(path string) (*KeyRing, error) {
	k := &KeyRing{path: path}
	if err := k.load(); err != nil {
		return nil, err
	}
	return k, nil
}

// CreateKeyFile writes a new key file with one fresh key; it refuses to
// overwrite an existing file.
func CreateKeyFile(path string) (*KeyRing, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("vault: create key file: %w", err)
	}
	_, err = f.WriteString(newKeyLine())
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err != nil {
		return nil, err
	}
	return OpenKeyRing(path)
}

func newKeyLine() string {
	id := make([]byte, 8)
	key := make([]byte, 32)
	rand.Read(id)
	rand.Read(key)
	return hex.EncodeToString(id) + " " + base64.StdEncoding.EncodeToString(key) + "\n"
}

func (k *KeyRing) load() error {
	fi, err := os.Stat(k.path)
	if err != nil {
		return fmt.Errorf("vault: key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("vault: key file %s is readable by others (mode %v): chmod 600 it", k.path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(k.path)
	if err != nil {
		return fmt.Errorf("vault: key file: %w", err)
	}
	keys := map[string][]byte{}
	current := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, enc, ok := strings.Cut(line, " ")
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
		if !ok || err != nil || len(key) != 32 || id == "" {
			return fmt.Errorf("vault: key file %s, line %d: want \"<id> <base64 of 32 bytes>\"", k.path, n)
		}
		keys[id], current = key, id
	}
	if current == "" {
		return fmt.Errorf("vault: key file %s holds no key", k.path)
	}
	k.mu.Lock()
	k.keys, k.current = keys, current
	k.mu.Unlock()
	return nil
}

// Current is the id of the key that wraps new data keys.
func (k *KeyRing) Current() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current
}

// IDs lists the ids of the keys in the file.
func (k *KeyRing) IDs() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	ids := make([]string, 0, len(k.keys))
	for id := range k.keys {
		ids = append(ids, id)
	}
	return ids
}

// kek returns a key by id, re-reading the file once when it is missing:
// another process (the rotation command) may have added it while this
// one runs.
func (k *KeyRing) kek(id string) ([]byte, error) {
	k.mu.RLock()
	key, ok := k.keys[id]
	k.mu.RUnlock()
	if ok {
		return key, nil
	}
	if err := k.load(); err != nil {
		return nil, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	if key, ok = k.keys[id]; !ok {
		return nil, ErrNoKey
	}
	return key, nil
}

// Reload re-reads the key file, for a running service after a rotation.
func (k *KeyRing) Reload() error { return k.load() }

// Wrap encrypts a data key with the current KEK; the key id is bound to
// the result as associated data.
func (k *KeyRing) Wrap(dataKey []byte) (wrapped []byte, keyID string, err error) {
	keyID = k.Current()
	kek, err := k.kek(keyID)
	if err != nil {
		return nil, "", err
	}
	wrapped, err = seal(kek, dataKey, []byte("kek:"+keyID))
	return wrapped, keyID, err
}

// Unwrap decrypts a data key wrapped with the key keyID.
func (k *KeyRing) Unwrap(wrapped []byte, keyID string) ([]byte, error) {
	kek, err := k.kek(keyID)
	if err != nil {
		return nil, err
	}
	return open(kek, wrapped, []byte("kek:"+keyID))
}

// AddKey appends a fresh key to the file, which becomes the current key.
// The file is replaced atomically (written beside it, then renamed), so a
// service reading it sees the old file or the new one, never half of it.
func (k *KeyRing) AddKey() (string, error) {
	return k.rewrite(func(lines []string) []string { return append(lines, strings.TrimSpace(newKeyLine())) })
}

// RemoveKeys drops keys from the file; the current key cannot be dropped.
func (k *KeyRing) RemoveKeys(ids ...string) error {
	drop := map[string]bool{}
	for _, id := range ids {
		if id == k.Current() {
			return fmt.Errorf("vault: the current key %s cannot be removed", id)
		}
		drop[id] = true
	}
	_, err := k.rewrite(func(lines []string) []string {
		var out []string
		for _, l := range lines {
			id, _, _ := strings.Cut(l, " ")
			if !drop[id] {
				out = append(out, l)
			}
		}
		return out
	})
	return err
}

func (k *KeyRing) rewrite(edit func([]string) []string) (string, error) {
	b, err := os.ReadFile(k.path)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	lines = edit(lines)
	tmp, err := os.CreateTemp(filepath.Dir(k.path), ".keys-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), k.path); err != nil {
		return "", err
	}
	if err := k.load(); err != nil {
		return "", err
	}
	return k.Current(), nil
}

// seal encrypts with AES-256-GCM: a random 12-byte nonce, then the sealed
// text.
func seal(key, plain, aad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	out := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plain)+gcm.Overhead())
	rand.Read(out)
	return gcm.Seal(out, out, plain, aad), nil
}

func open(key, sealed, aad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize()+gcm.Overhead() {
		return nil, errors.New("vault: the encrypted data is truncated")
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], aad)
	if err != nil {
		return nil, errors.New("vault: the encrypted data fails authentication (altered, or the wrong key)")
	}
	return plain, nil
}
