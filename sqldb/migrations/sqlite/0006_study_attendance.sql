-- Which members attended a study session (issue 4, item 6). A session's
-- attended count equals its rows here when members were named.
CREATE TABLE study_attendance (
	session_id INTEGER NOT NULL REFERENCES study_sessions(id),
	member_id  INTEGER NOT NULL REFERENCES members(id),
	PRIMARY KEY (session_id, member_id)
);
CREATE INDEX study_attendance_member ON study_attendance (member_id);
