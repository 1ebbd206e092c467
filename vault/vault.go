package vault

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Vault stores file contents under generated names in a folder outside the
// web root. Keys is nil when no key file is configured: files of
// classified documents are then refused.
type Vault struct {
	Dir  string
	Keys *KeyRing
}

// ErrNoKeys is returned when a file must be encrypted and no key file is
// configured.
var ErrNoKeys = errors.New("vault: no key file is configured (PARTYWORKS_KEY_FILE): classified files cannot be stored")

// Stored is where a file's content lies and, for an encrypted file, its
// wrapped data key and the id of the key that wrapped it.
type Stored struct {
	Name       string
	KeyID      string // "" when the file is stored in clear
	WrappedKey []byte
}

// New returns a vault on a folder, creating it (mode 0700).
func New(dir string, keys *KeyRing) (*Vault, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return &Vault{Dir: dir, Keys: keys}, nil
}

func (v *Vault) path(name string) (string, error) {
	if len(name) != 32 {
		return "", errors.New("vault: bad stored name")
	}
	if _, err := hex.DecodeString(name); err != nil {
		return "", errors.New("vault: bad stored name")
	}
	return filepath.Join(v.Dir, name[:2], name), nil
}

// Put writes a file under a new random name, encrypting it with a fresh
// data key when encrypt is set. The content is written beside its final
// place and renamed, so a crash leaves no half file under a stored name.
func (v *Vault) Put(data []byte, encrypt bool) (Stored, error) {
	b := make([]byte, 16)
	rand.Read(b)
	s := Stored{Name: hex.EncodeToString(b)}
	if encrypt {
		if v.Keys == nil {
			return Stored{}, ErrNoKeys
		}
		dataKey := make([]byte, 32)
		rand.Read(dataKey)
		var err error
		if s.WrappedKey, s.KeyID, err = v.Keys.Wrap(dataKey); err != nil {
			return Stored{}, err
		}
		if data, err = seal(dataKey, data, []byte("file:"+s.Name)); err != nil {
			return Stored{}, err
		}
	}
	p, _ := v.path(s.Name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return Stored{}, fmt.Errorf("vault: %w", err)
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return Stored{}, fmt.Errorf("vault: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return Stored{}, fmt.Errorf("vault: %w", err)
	}
	return s, nil
}

// Get reads a stored file, decrypting it when it was encrypted.
func (v *Vault) Get(s Stored) ([]byte, error) {
	p, err := v.path(s.Name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if s.KeyID == "" {
		return data, nil
	}
	if v.Keys == nil {
		return nil, ErrNoKeys
	}
	dataKey, err := v.Keys.Unwrap(s.WrappedKey, s.KeyID)
	if err != nil {
		return nil, err
	}
	return open(dataKey, data, []byte("file:"+s.Name))
}

// Raw reads a stored file as it lies on disk (for tests and checks).
func (v *Vault) Raw(name string) ([]byte, error) {
	p, err := v.path(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// Remove deletes a stored file (disposal); a missing file is no error.
func (v *Vault) Remove(name string) error {
	p, err := v.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("vault: %w", err)
	}
	return nil
}

// Rewrap unwraps a data key and wraps it again with the current key; the
// file itself is not touched.
func (v *Vault) Rewrap(wrapped []byte, keyID string) ([]byte, string, error) {
	if v.Keys == nil {
		return nil, "", ErrNoKeys
	}
	dataKey, err := v.Keys.Unwrap(wrapped, keyID)
	if err != nil {
		return nil, "", err
	}
	return v.Keys.Wrap(dataKey)
}
