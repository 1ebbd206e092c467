-- vntext.Fold folds Ð and ð (U+00D0, U+00F0: typed for Đ in converted
-- legacy data) to d, as it folds Đ: "dinh" finds "Ðinh". The stored
-- folds written before are folded again here; the documents' search
-- text and tokens (hex in document_search) are rewritten in Go
-- (sqldb/db.go, goMigrations).
UPDATE members SET name_fold = replace(name_fold, 'ð', 'd'), given_fold = replace(given_fold, 'ð', 'd')
	WHERE name_fold LIKE '%ð%' OR given_fold LIKE '%ð%';
UPDATE unit_versions SET name_fold = replace(name_fold, 'ð', 'd') WHERE name_fold LIKE '%ð%';
