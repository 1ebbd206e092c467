package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"partyworks"
)

// maxDirectiveFiles caps the files a directive keeps.
const maxDirectiveFiles = 20

// AttachDirectiveFiles stores files of a directive under the rules of task
// evidence (storeFiles: the size cap, the content must match the
// extension, generated names, a SHA-256 kept to check on reading).
func (s *TaskService) AttachDirectiveFiles(ctx context.Context, directiveID int64, files []partyworks.EvidenceFile) ([]partyworks.EvidenceMeta, error) {
	if len(files) == 0 {
		return nil, partyworks.FieldErrorf("files", "choose a file")
	}
	stored, err := s.storeFiles(files)
	if err != nil {
		return nil, err
	}
	var out []partyworks.EvidenceMeta
	err = s.db.update(ctx, func(tx *Tx) error {
		out = out[:0]
		var n int
		if err := tx.QueryRow(`SELECT (SELECT COUNT(*) FROM directive_files WHERE directive_id = ?) FROM directives WHERE id = ?`, directiveID, directiveID).Scan(&n); errors.Is(err, sql.ErrNoRows) {
			return partyworks.Errorf(partyworks.ENOTFOUND, "directive %d does not exist", directiveID)
		} else if err != nil {
			return err
		}
		if n+len(stored) > maxDirectiveFiles {
			return partyworks.FieldErrorf("files", "a directive keeps at most %d files (it has %d)", maxDirectiveFiles, n)
		}
		for _, f := range stored {
			id, err := tx.InsertID(`INSERT INTO directive_files (directive_id, name, stored, size, type, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				directiveID, f.name, f.stored, f.size, f.typ, f.sum, fmtTime(tx.now))
			if err != nil {
				return fmt.Errorf("directive file: %w", err)
			}
			out = append(out, partyworks.EvidenceMeta{ID: id, Name: f.name, Size: f.size, Type: f.typ})
		}
		return tx.audit("directive.files", fmt.Sprintf("directive:%d", directiveID), nil, out)
	})
	if err != nil {
		for _, f := range stored {
			os.Remove(filepath.Join(s.Files, f.stored))
		}
		return nil, err
	}
	return out, nil
}

// directiveFiles lists a directive's files, oldest first.
func (s *TaskService) directiveFiles(ctx context.Context, directiveID int64) ([]partyworks.EvidenceMeta, error) {
	rows, err := s.db.query(ctx, `SELECT id, name, size, type FROM directive_files WHERE directive_id = ? ORDER BY id`, directiveID)
	if err != nil {
		return nil, fmt.Errorf("directive files: %w", err)
	}
	defer rows.Close()
	var out []partyworks.EvidenceMeta
	for rows.Next() {
		var m partyworks.EvidenceMeta
		if err := rows.Scan(&m.ID, &m.Name, &m.Size, &m.Type); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DirectiveFile returns a stored file of a directive; a file of another
// directive is not found, so a file cannot be fetched through a directive
// the caller may read.
func (s *TaskService) DirectiveFile(ctx context.Context, directiveID, fileID int64) (*partyworks.EvidenceMeta, []byte, error) {
	return s.storedFile(ctx, "directive_files", "directive_id", directiveID, fileID)
}
