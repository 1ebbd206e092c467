package partyworks

import (
	"context"
	"strings"
	"time"
)

// Sex as the record writes it.
type Sex string

// The sexes of form 2-HSĐV.
const (
	Male   Sex = "male"
	Female Sex = "female"
)

// ParseSex reads "nam"/"nữ", "male"/"female", "m"/"f".
func ParseSex(s string) (Sex, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "nam", "male", "m":
		return Male, true
	case "nữ", "nu", "female", "f":
		return Female, true
	}
	return "", false
}

// Member is a party member's record (form 2-HSĐV "Phiếu đảng viên"): the
// core fields as columns; the tables of the form (work history, training,
// family, awards, discipline) as Entries. Derived facts (official date,
// party age, next badge, probation end) are never stored: see
// member_derived.go.
type Member struct {
	ID           int64  `json:"id"`
	CitizenID    string `json:"citizen_id"` // the natural key (12 digits)
	FullName     string `json:"full_name"`
	OtherNames   string `json:"other_names,omitempty"`
	Sex          Sex    `json:"sex"`
	BirthDate    Date   `json:"-"`
	Birthplace   string `json:"birthplace,omitempty"`
	Hometown     string `json:"hometown,omitempty"`
	Address      string `json:"address,omitempty"` // permanent address
	Current      string `json:"current_address,omitempty"`
	Ethnicity    string `json:"ethnicity,omitempty"`
	Religion     string `json:"religion,omitempty"`
	Occupation   string `json:"occupation,omitempty"`
	Education    string `json:"education,omitempty"`    // general education, "12/12"
	Professional string `json:"professional,omitempty"` // professional level: "đại học", "thạc sĩ", …
	Theory       string `json:"theory,omitempty"`       // political theory: "sơ cấp", "trung cấp", "cao cấp", "cử nhân"
	Language     string `json:"foreign_language,omitempty"`
	CardNumber   string `json:"card_number,omitempty"`   // party card number (format UNVERIFIED: validated as 6–12 digits)
	RecordNumber string `json:"record_number,omitempty"` // số lý lịch
	YouthUnion   Date   `json:"-"`                       // day joined the Youth Union
	Introducers  string `json:"introducers,omitempty"`   // citizen ids of the introducers, comma-separated
	Notes        string `json:"notes,omitempty"`         // life-history notes

	UnitID     int64        `json:"unit_id"`
	UnitName   string       `json:"unit_name,omitempty"`
	Status     MemberStatus `json:"status"`
	Since      Date         `json:"-"` // the day the current unit and status began
	Resume     MemberStatus `json:"-"` // the status to return to after a temporary transfer or a transfer
	TransferTo int64        `json:"transfer_to,omitempty"`
	// The lifecycle's key days, kept by the steps (zero when not yet).
	Resolved   Date `json:"-"` // the cell's admission resolution
	Admitted   Date `json:"-"` // the admission decision (party age counts from the first)
	Ceremony   Date `json:"-"` // the admission ceremony
	Recognized Date `json:"-"` // recognized as official
	Readmitted bool `json:"readmitted,omitempty"`

	UserID   int64         `json:"user_id,omitempty"` // the account for self-service
	HasPhoto bool          `json:"has_photo"`
	Version  int64         `json:"version"`
	Updated  time.Time     `json:"updated_at"`
	Entries  []MemberEntry `json:"entries,omitempty"`
	Cursor   string        `json:"-"` // in lists: the keyset position after this row
}

// NameParts splits a Vietnamese full name into family, middle and given
// names: "Nguyễn Thị Minh Khai" → "Nguyễn", "Thị Minh", "Khai".
func NameParts(full string) (family, middle, given string) {
	f := strings.Fields(full)
	switch len(f) {
	case 0:
		return "", "", ""
	case 1:
		return "", "", f[0]
	}
	return f[0], strings.Join(f[1:len(f)-1], " "), f[len(f)-1]
}

// EntryKind names one of the tables of form 2-HSĐV.
type EntryKind string

// The tables of the form.
const (
	EntryWork       EntryKind = "work"       // work history
	EntryTraining   EntryKind = "training"   // training and education
	EntryFamily     EntryKind = "family"     // family members
	EntryAward      EntryKind = "award"      // awards, badges, honorary titles
	EntryDiscipline EntryKind = "discipline" // discipline
)

// EntryKinds lists the tables in the form's order.
var EntryKinds = []EntryKind{EntryWork, EntryTraining, EntryFamily, EntryAward, EntryDiscipline}

// Valid reports whether k is one of EntryKinds.
func (k EntryKind) Valid() bool {
	for _, v := range EntryKinds {
		if v == k {
			return true
		}
	}
	return false
}

// MemberEntry is one row of a table of the form: a period and what it was.
type MemberEntry struct {
	ID     int64     `json:"id"`
	Kind   EntryKind `json:"kind"`
	From   Date      `json:"-"`
	To     Date      `json:"-"`      // zero: open
	Title  string    `json:"title"`  // position, course, relative's name, award, form of discipline
	Detail string    `json:"detail"` // where, relation, decision
}

// MemberFilter selects members as of a day.
type MemberFilter struct {
	At                       Date
	Under                    int64    // unit: its subtree on At (and today)
	Within                   []string // only units inside one of these subtrees (paths); nil: anywhere
	Query                    string   // part of the name, diacritic-insensitive; or a citizen id
	Statuses                 []MemberStatus
	Sex                      Sex
	Ethnicity                string
	Religion                 string
	Education                string
	Theory                   string
	Professional             string
	BirthFrom, BirthTo       Date // birth between (inclusive); zero: open
	AdmittedFrom, AdmittedTo Date
	After                    string // keyset: the sort key and id of the last row ("key|id")
	Limit                    int
	// Brief reads only what a list shows: id, citizen id, name, sex,
	// birth, ethnicity, card number, unit, status and its days, photo,
	// version; the record's other fields are left empty.
	Brief bool
}

// MemberStep is one recorded lifecycle step of a member.
type MemberStep struct {
	ID         int64        `json:"id"`
	MemberID   int64        `json:"member_id"`
	Step       StepName     `json:"step"`
	Date       Date         `json:"-"`
	Decision   string       `json:"decision,omitempty"`
	From       MemberStatus `json:"from"`
	To         MemberStatus `json:"to"`
	UnitID     int64        `json:"unit_id,omitempty"` // the unit involved (transfer target)
	Note       string       `json:"note,omitempty"`
	RecordedBy string       `json:"recorded_by"`
	OnBehalf   string       `json:"on_behalf,omitempty"`
	RecordedAt time.Time    `json:"recorded_at"`
}

// StepInput asks to record a step.
type StepInput struct {
	Step             StepName `json:"step"`
	Date             Date     `json:"-"`
	Decision         string   `json:"decision,omitempty"`
	UnitID           int64    `json:"unit_id,omitempty"`     // transfer: the receiving unit
	Introducers      []string `json:"introducers,omitempty"` // cell resolution: citizen ids
	YouthUnion       bool     `json:"youth_union,omitempty"` // cell resolution: the Youth Union introduces in place of one member
	VotesFor, Voters int      `json:"-"`
	Note             string   `json:"note,omitempty"`
	Version          int64    `json:"version,omitempty"` // expected record version; 0 skips the check
}

// MemberStats are a subtree's counts on a day: by dimension, by value.
type MemberStats struct {
	UnitID int64
	At     Date
	Counts map[string]map[string]int // dimension → value → count
}

// Total is the number of counted members (by status).
func (s *MemberStats) Total() int {
	n := 0
	for st, c := range s.Counts["status"] {
		if MemberStatus(st).Counted() {
			n += c
		}
	}
	return n
}

// MemberImport is a members file to import.
type MemberImport struct {
	Name  string // file name, for the job and messages
	Hash  string // content hash: a second import of the same file resumes or changes nothing
	Table *Table
	// Stream, if set, is read instead of Table: rows still being read
	// (sheet.Stream) go in while the rest are read.
	Stream    *TableStream
	Effective Date // the day imported members enter their units (their Since)
	Batch     int  // rows per transaction; 0: 20,000 (100,000 for a bulk load)
	Progress  func(done, total int)
	Within    []string // the importer's subtrees (paths): rows for units outside are refused; nil: anywhere
	// Scope is the path of the unit the import was started on, kept with
	// the job (its progress page belongs to that unit's subtree).
	Scope string
	// Started, if set, is told the job's id once the job is recorded,
	// before any row goes in (a background import's progress page).
	Started func(job int64)
}

// MemberImportJob is an import's record: how far it got and what it found.
type MemberImportJob struct {
	ID       int64      `json:"id"`
	Name     string     `json:"name"`
	Scope    string     `json:"-"`
	Rows     int        `json:"rows"`
	Done     int        `json:"done"`
	Inserted int        `json:"inserted"`
	Existing int        `json:"existing"`
	Errors   int        `json:"errors"`
	Report   []RowError `json:"report"` // the first MaxImportReport row errors
	Status   string     `json:"status"` // running, done or failed
	Failure  string     `json:"failure,omitempty"`
	Updated  time.Time  `json:"updated_at"` // the last batch committed (or the end)
}

// MaxImportReport is how many row errors a job keeps.
const MaxImportReport = 1000

// MemberImportResult says what an import did.
type MemberImportResult struct {
	JobID    int64      `json:"job_id"`
	Rows     int        `json:"rows"`
	Inserted int        `json:"inserted"`
	Existing int        `json:"existing"` // already there (same citizen id): unchanged
	Resumed  int        `json:"resumed"`  // rows skipped because an earlier run of the job committed them
	Errors   []RowError `json:"errors"`
}

// MemberService keeps member records, their lifecycle and statistics.
type MemberService interface {
	FindMemberByID(ctx context.Context, id int64) (*Member, error)
	// FindImportJob returns an import's record.
	FindImportJob(ctx context.Context, id int64) (*MemberImportJob, error)
	FindMemberByUser(ctx context.Context, userID int64) (*Member, error)
	FindMembers(ctx context.Context, f MemberFilter) ([]*Member, int, error)
	// FindIncoming lists the members whose official transfer to a unit of
	// the subtree has been sent and not yet received (at most 500).
	FindIncoming(ctx context.Context, unitID int64) ([]*Member, error)
	CreateMember(ctx context.Context, m *Member) error
	UpdateMember(ctx context.Context, m *Member) error
	AddEntry(ctx context.Context, memberID int64, e *MemberEntry) error
	SetPhoto(ctx context.Context, memberID int64, contentType string, data []byte) error
	Photo(ctx context.Context, memberID int64) (string, []byte, error)
	LinkUser(ctx context.Context, memberID, userID int64) error
	RecordStep(ctx context.Context, memberID int64, in StepInput) (*MemberStep, error)
	FindSteps(ctx context.Context, memberID int64) ([]*MemberStep, error)
	// Gaps are the periods not counted in the member's party age.
	Gaps(ctx context.Context, memberID int64) ([]Gap, error)
	MemberStats(ctx context.Context, unitID int64, at Date) (*MemberStats, error)
	ImportMembers(ctx context.Context, imp MemberImport) (*MemberImportResult, error)
	// UnitPath is the path of a member's unit (for the access check).
	UnitPaths(ctx context.Context, memberID int64, at Date) ([]string, error)
}
