package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"partyworks"
	"partyworks/vault"
)

// AttachFile checks a file (size, content against extension, zip bombs),
// extracts its text for search, stores it under a generated name (sealed
// with a fresh data key when the document is classified) and records it,
// all or nothing: a file written for a transaction that fails is removed.
func (s *DocumentService) AttachFile(ctx context.Context, v partyworks.Viewer, docID int64, name string, data []byte) (*partyworks.DocumentFile, error) {
	d, err := s.visible(ctx, v, docID, "attach")
	if err != nil {
		return nil, err
	}
	if d.Status == partyworks.DocDisposed {
		return nil, partyworks.Errorf(partyworks.ECONFLICT, "the document has been disposed of")
	}
	name = cleanFileName(name)
	f := &partyworks.DocumentFile{DocumentID: docID, Name: name, Size: int64(len(data)), Encrypted: d.Secrecy.Classified()}
	refuse := func(err error) (*partyworks.DocumentFile, error) {
		s.db.update(ctx, func(tx *Tx) error {
			return tx.audit("document.file.refused", "document:"+strconv.FormatInt(docID, 10), nil,
				map[string]any{"name": name, "size": len(data), "reason": partyworks.ErrorMessage(err)})
		})
		return nil, err
	}
	if f.MediaType, err = vault.Sniff(name, data); err != nil {
		return refuse(err)
	}
	text, err := vault.ExtractText(f.MediaType, data)
	if err != nil {
		return refuse(err)
	}
	sum := sha256.Sum256(data)
	f.SHA256 = hex.EncodeToString(sum[:])
	stored, err := s.vault.Put(data, f.Encrypted)
	if errors.Is(err, vault.ErrNoKeys) {
		return nil, partyworks.Errorf(partyworks.EINVALID, "files of classified documents cannot be stored: the server has no key file")
	} else if err != nil {
		return nil, err
	}
	err = s.db.update(ctx, func(tx *Tx) error {
		id, err := tx.InsertID(`INSERT INTO document_files (document_id, name, media_type, size, sha256, stored, key_id, wrapped_key, text, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			docID, f.Name, f.MediaType, f.Size, f.SHA256, stored.Name, stored.KeyID, base64.StdEncoding.EncodeToString(stored.WrappedKey),
			text, fmtTime(tx.now), nullID(tx.actor.UserID))
		if err != nil {
			return fmt.Errorf("attach: %w", err)
		}
		f.ID, f.CreatedAt = id, tx.now
		if err := s.reindexTx(tx, d); err != nil {
			return err
		}
		return tx.audit("document.file.attach", "document:"+strconv.FormatInt(docID, 10), nil,
			map[string]any{"file": id, "name": f.Name, "size": f.Size, "sha256": f.SHA256, "encrypted": f.Encrypted})
	})
	if err != nil {
		s.vault.Remove(stored.Name)
		return nil, err
	}
	return f, nil
}

// cleanFileName keeps the last element of a name, without control
// characters, at most 200 bytes.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 {
			return -1
		}
		return r
	}, name)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name[:len(name)-len(filepath.Ext(name))])
		ext := filepath.Ext(name)
		name = name[:len(name)-len(ext)-size] + ext
	}
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	return name
}

const fileColumns = `id, document_id, name, media_type, size, sha256, key_id <> '', created_at`

func scanFile(s scanner) (*partyworks.DocumentFile, error) {
	var f partyworks.DocumentFile
	var created string
	if err := s.Scan(&f.ID, &f.DocumentID, &f.Name, &f.MediaType, &f.Size, &f.SHA256, &f.Encrypted, &created); err != nil {
		return nil, err
	}
	f.CreatedAt = parseTime(created)
	return &f, nil
}

func (s *DocumentService) files(ctx context.Context, docID int64) ([]*partyworks.DocumentFile, error) {
	rows, err := s.db.query(ctx, `SELECT `+fileColumns+` FROM document_files WHERE document_id = ? ORDER BY id`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*partyworks.DocumentFile
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// OpenFile returns one file of a document and its content. The file is
// looked up by both ids, so a file of another document (a private file
// through a public document's URL) is "not found"; reading a classified
// document's file is audited.
func (s *DocumentService) OpenFile(ctx context.Context, v partyworks.Viewer, docID, fileID int64) (*partyworks.DocumentFile, []byte, error) {
	d, err := s.visible(ctx, v, docID, "file")
	if err != nil {
		return nil, nil, err
	}
	var f partyworks.DocumentFile
	var created, stored, keyID, wrapped string
	err = s.db.queryRow(ctx, `SELECT `+fileColumns+`, stored, key_id, wrapped_key FROM document_files WHERE id = ? AND document_id = ?`, fileID, docID).
		Scan(&f.ID, &f.DocumentID, &f.Name, &f.MediaType, &f.Size, &f.SHA256, &f.Encrypted, &created, &stored, &keyID, &wrapped)
	f.CreatedAt = parseTime(created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, partyworks.Errorf(partyworks.ENOTFOUND, "no such file")
	} else if err != nil {
		return nil, nil, err
	}
	if d.Status == partyworks.DocDisposed {
		return nil, nil, partyworks.Errorf(partyworks.ENOTFOUND, "the file was destroyed with the document's disposal")
	}
	wk, _ := base64.StdEncoding.DecodeString(wrapped)
	data, err := s.vault.Get(vault.Stored{Name: stored, KeyID: keyID, WrappedKey: wk})
	if err != nil {
		return nil, nil, fmt.Errorf("file %d: %w", fileID, err)
	}
	if d.Secrecy.Classified() {
		if err := s.db.update(ctx, func(tx *Tx) error {
			return tx.audit("document.file.read", "document:"+strconv.FormatInt(docID, 10), nil, map[string]any{"file": fileID})
		}); err != nil {
			return nil, nil, err
		}
	}
	return &f, data, nil
}

// RotateKeys re-wraps every data key wrapped with another key than the
// current one, in batches, each row guarded by its old key id so that two
// rotations at once cannot clash. The service may run meanwhile: it reads
// the key file again when it meets a key id it does not know. It returns
// how many data keys were re-wrapped and the key ids still in use.
func (s *DocumentService) RotateKeys(ctx context.Context) (int, error) {
	if s.vault == nil || s.vault.Keys == nil {
		return 0, vault.ErrNoKeys
	}
	current := s.vault.Keys.Current()
	total := 0
	for {
		rows, err := s.db.query(ctx, `SELECT id, key_id, wrapped_key FROM document_files WHERE key_id <> '' AND key_id <> ? ORDER BY id LIMIT 500`, current)
		if err != nil {
			return total, err
		}
		type row struct {
			id           int64
			keyID, wrapd string
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.keyID, &r.wrapd); err != nil {
				rows.Close()
				return total, err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if len(batch) == 0 {
			return total, nil
		}
		err = s.db.update(ctx, func(tx *Tx) error {
			for _, r := range batch {
				wk, err := base64.StdEncoding.DecodeString(r.wrapd)
				if err != nil {
					return fmt.Errorf("file %d: wrapped key: %w", r.id, err)
				}
				nw, nid, err := s.vault.Rewrap(wk, r.keyID)
				if err != nil {
					return fmt.Errorf("file %d: %w", r.id, err)
				}
				if _, err := tx.Exec(`UPDATE document_files SET key_id = ?, wrapped_key = ? WHERE id = ? AND key_id = ?`,
					nid, base64.StdEncoding.EncodeToString(nw), r.id, r.keyID); err != nil {
					return err
				}
			}
			return tx.audit("keys.rotate", "document_files", nil, map[string]any{"rewrapped": len(batch), "key": current})
		})
		if err != nil {
			return total, err
		}
		total += len(batch)
	}
}

// KeysInUse lists the key ids that still wrap data keys.
func (s *DocumentService) KeysInUse(ctx context.Context) ([]string, error) {
	rows, err := s.db.query(ctx, `SELECT DISTINCT key_id FROM document_files WHERE key_id <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ReloadKeys re-reads the key file (after a rotation added a key).
func (s *DocumentService) ReloadKeys() error {
	if s.vault == nil || s.vault.Keys == nil {
		return vault.ErrNoKeys
	}
	return s.vault.Keys.Reload()
}
