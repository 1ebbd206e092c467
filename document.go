package partyworks

import (
	"context"
	"strings"
	"time"
)

// Direction says in which register of a unit a document stands.
type Direction string

// The two registers of a unit.
const (
	Outgoing Direction = "out" // sổ văn bản đi: issued by the unit, numbered by it
	Incoming Direction = "in"  // sổ văn bản đến: received, with its own register number
)

// Valid reports whether d is one of the two registers.
func (d Direction) Valid() bool { return d == Outgoing || d == Incoming }

// Secrecy is a document's secrecy mark (độ mật). A classified document
// exists only for users whose clearance is at least its mark and whose
// grants cover its unit.
type Secrecy int

// The secrecy marks, in rising order.
const (
	Unclassified Secrecy = iota
	Confidential         // Mật
	Secret               // Tối mật
	TopSecret            // Tuyệt mật
)

// SecrecyNames are the marks as printed on the document.
var SecrecyNames = []string{"", "Mật", "Tối mật", "Tuyệt mật"}

// Valid reports whether s is a known mark.
func (s Secrecy) Valid() bool { return s >= Unclassified && s <= TopSecret }

// Classified reports whether the document carries a secrecy mark.
func (s Secrecy) Classified() bool { return s > Unclassified }

func (s Secrecy) String() string {
	if !s.Valid() {
		return "?"
	}
	return SecrecyNames[s]
}

// Urgency is a document's urgency mark (độ khẩn).
type Urgency int

// The urgency marks, in rising order.
const (
	Normal      Urgency = iota
	Urgent              // Khẩn
	VeryUrgent          // Thượng khẩn
	FlashUrgent         // Hỏa tốc
)

// UrgencyNames are the marks as printed on the document.
var UrgencyNames = []string{"", "Khẩn", "Thượng khẩn", "Hỏa tốc"}

// Valid reports whether u is a known mark.
func (u Urgency) Valid() bool { return u >= Normal && u <= FlashUrgent }

// DocumentStatus is where a document stands in its retention.
type DocumentStatus string

// The statuses: in the unit's current files, transferred to the archive,
// or destroyed by a disposal decision (the register line stays).
const (
	DocActive   DocumentStatus = "active"
	DocArchived DocumentStatus = "archived"
	DocDisposed DocumentStatus = "disposed"
)

// Document is one line of a unit's register.
type Document struct {
	ID        int64     `json:"id"`
	UnitID    int64     `json:"unit_id"`
	UnitName  string    `json:"unit_name,omitempty"`
	Direction Direction `json:"direction"`
	RegNo     int       `json:"reg_no"` // outgoing: the symbol's number; incoming: số đến
	// RegisterName: the unit whose register gave RegNo, when the document
	// came to UnitID from it (a merge); "" for UnitID's own.
	RegisterName string         `json:"register_name,omitempty"`
	Symbol       Symbol         `json:"-"`
	Issuer       string         `json:"issuer"` // the issuing body's name ("Bộ Chính trị")
	Issued       Date           `json:"-"`
	Received     Date           `json:"-"` // incoming only
	Summary      string         `json:"summary"`
	Signer       string         `json:"signer"`
	Recipients   string         `json:"recipients"`
	Secrecy      Secrecy        `json:"secrecy"`
	Urgency      Urgency        `json:"urgency"`
	Class        string         `json:"class"` // retention class; the type by default
	Status       DocumentStatus `json:"status"`
	CreatedAt    time.Time      `json:"created_at"`
	Version      int64          `json:"version"`

	Files  []*DocumentFile  `json:"files,omitempty"`
	Routes []*DocumentRoute `json:"routes,omitempty"`
}

// Validate checks what the store cannot: the marks, the summary and the
// dates. The symbol is checked by ParseSymbol where it is read.
func (d *Document) Validate() error {
	switch {
	case !d.Direction.Valid():
		return FieldErrorf("direction", "choose the outgoing or the incoming register")
	case !d.Secrecy.Valid():
		return FieldErrorf("secrecy", "unknown secrecy mark")
	case !d.Urgency.Valid():
		return FieldErrorf("urgency", "unknown urgency mark")
	case strings.TrimSpace(d.Summary) == "":
		return FieldErrorf("summary", "write the summary (trích yếu)")
	case len(d.Summary) > 4000 || len(d.Signer) > 200 || len(d.Recipients) > 4000 || len(d.Issuer) > 300:
		return FieldErrorf("summary", "a field is too long")
	case d.Issued.IsZero():
		return FieldErrorf("issued", "give the date of issue")
	case d.Direction == Incoming && d.Symbol.Number == 0:
		return FieldErrorf("symbol", "give the symbol of the incoming document")
	case d.Direction == Incoming && d.Received.IsZero():
		return FieldErrorf("received", "give the date the document was received")
	case d.Direction == Incoming && d.Received.Before(d.Issued):
		return FieldErrorf("received", "a document cannot be received before it was issued")
	}
	return nil
}

// DocumentFile is a file attached to a document. Its content lives in the
// file store under a generated name; classified documents' files are
// encrypted there.
type DocumentFile struct {
	ID         int64     `json:"id"`
	DocumentID int64     `json:"document_id"`
	Name       string    `json:"name"`
	MediaType  string    `json:"media_type"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	Encrypted  bool      `json:"encrypted"`
	CreatedAt  time.Time `json:"created_at"`
}

// DocumentRoute sends an incoming document to a department or a person
// for handling by a deadline.
type DocumentRoute struct {
	ID         int64     `json:"id"`
	DocumentID int64     `json:"document_id"`
	ToUnitID   int64     `json:"to_unit_id,omitempty"`
	ToUnitName string    `json:"to_unit_name,omitempty"`
	ToUserID   int64     `json:"to_user_id,omitempty"`
	ToUserName string    `json:"to_user_name,omitempty"`
	Deadline   Date      `json:"-"`
	Note       string    `json:"note,omitempty"`
	Done       bool      `json:"done"`
	CreatedAt  time.Time `json:"created_at"`
}

// Viewer is who reads documents: the subtrees their grants let them read
// documents in (nil with All for the whole tree) and their user id, whose
// clearance the store looks up at every request so that a change of
// clearance takes effect at once.
type Viewer struct {
	UserID int64
	Paths  []string
	All    bool
	// System is an operator's command: every document, every mark.
	System bool
}

// DocumentFilter selects the lines of one register.
type DocumentFilter struct {
	UnitID    int64
	Direction Direction
	Year      int    // 0: every year
	Query     string // diacritic-insensitive words of the summary or symbol
	Status    DocumentStatus
	// Keyset: the (issued, id) of the last line of the previous page.
	BeforeIssued string
	BeforeID     int64
	Limit        int
}

// SearchQuery is a full-text search over summaries and files' text.
type SearchQuery struct {
	Text   string
	UnitID int64 // 0: everywhere the viewer may read
	Limit  int
}

// SearchHit is a document found by a search, with the summary and a
// snippet of the matching text split into plain and highlighted parts.
type SearchHit struct {
	Document *Document
	Summary  []Fragment
	Snippet  []Fragment
}

// Fragment is a piece of text; Match marks a highlighted one.
type Fragment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// DocumentService keeps the registers. Every read takes a Viewer: a
// classified document exists only for viewers with the clearance and the
// scope; for anyone else it is "not found", and every access to it is
// audited.
type DocumentService interface {
	// RegisterDocument adds a line to a register. An outgoing document
	// takes the next number of its issuer, type and term in the same
	// transaction; an incoming one takes the register's next number.
	RegisterDocument(ctx context.Context, v Viewer, d *Document) error
	FindDocumentByID(ctx context.Context, v Viewer, id int64) (*Document, error)
	FindDocuments(ctx context.Context, v Viewer, f DocumentFilter) ([]*Document, int, error)
	SearchDocuments(ctx context.Context, v Viewer, q SearchQuery) ([]*SearchHit, error)
	// DocumentUnit is the path of the unit whose register holds the
	// document; "not found" where the viewer may not know it exists.
	DocumentUnit(ctx context.Context, v Viewer, id int64) (string, error)

	AttachFile(ctx context.Context, v Viewer, docID int64, name string, data []byte) (*DocumentFile, error)
	// OpenFile returns a file of a document and its content; a file of
	// another document is "not found".
	OpenFile(ctx context.Context, v Viewer, docID, fileID int64) (*DocumentFile, []byte, error)

	RouteDocument(ctx context.Context, v Viewer, r *DocumentRoute) error
	CompleteRoute(ctx context.Context, v Viewer, docID, routeID int64) error

	// Retention.
	RetentionPeriods(ctx context.Context) ([]RetentionPeriod, error)
	SetRetentionPeriod(ctx context.Context, p RetentionPeriod) error
	DueForRetention(ctx context.Context, v Viewer, unitID int64, today Date) ([]*RetentionDue, error)
	Dispose(ctx context.Context, v Viewer, d Disposition) error

	// Clearances and issuers.
	Clearance(ctx context.Context, userID int64) (Secrecy, error)
	SetClearance(ctx context.Context, userID int64, level Secrecy) error
	SetIssuer(ctx context.Context, unitID int64, abbr string) error
	AddCongress(ctx context.Context, c Congress) error
	// Issuer is a unit's abbreviation ("" when none is set); Congresses
	// its congresses, latest first.
	Issuer(ctx context.Context, unitID int64) (string, error)
	Congresses(ctx context.Context, unitID int64) ([]Congress, error)
}
