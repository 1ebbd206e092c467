-- A members import run in the background (a large file from the browser)
-- is followed on a progress page: the job keeps the subtree it was started
-- on (the page is that subtree's), its row errors (the first 1,000, as
-- JSON) and, if it failed, why.
ALTER TABLE member_import_jobs ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE member_import_jobs ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE member_import_jobs ADD COLUMN report TEXT NOT NULL DEFAULT '';
ALTER TABLE member_import_jobs ADD COLUMN failure TEXT NOT NULL DEFAULT '';
