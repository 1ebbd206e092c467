package partyworks

import "time"

// RetentionPeriod is how long one class of documents is kept: in the
// unit's current files for ArchiveAfter years after the year of issue,
// then in the archive for Keep years (0: for ever). The values are
// UNVERIFIED defaults, configurable per class.
type RetentionPeriod struct {
	Class        string `json:"class"` // a document type (NQ, CV, …) or "*" for the rest
	Name         string `json:"name"`
	ArchiveAfter int    `json:"archive_after_years"`
	Keep         int    `json:"keep_years"` // 0: permanent
}

// DefaultRetentionClass is the class of every type without its own period.
const DefaultRetentionClass = "*"

// Retention actions.
const (
	RetainArchive = "archive" // transfer to the archive (nộp lưu)
	RetainDispose = "dispose" // destroy by decision (tiêu hủy)
)

// RetentionDue is a document that has reached an action.
type RetentionDue struct {
	Document *Document `json:"document"`
	Action   string    `json:"action"`
	Since    Date      `json:"-"`
}

// RetentionAction says what is due for a document on a day under its
// period, and since when, counting full years after the year of issue:
// archiving from 1 January of (year + ArchiveAfter + 1), disposal of an
// archived document from 1 January of (year + Keep + 1). "" when nothing
// is due.
func RetentionAction(d *Document, p RetentionPeriod, today Date) (string, Date) {
	jan1 := func(y int) Date { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	year := d.Issued.Year()
	switch d.Status {
	case DocActive:
		if since := jan1(year + p.ArchiveAfter + 1); !today.Before(since) {
			return RetainArchive, since
		}
	case DocArchived:
		if p.Keep == 0 {
			return "", Date{}
		}
		if since := jan1(year + p.Keep + 1); !today.Before(since) {
			return RetainDispose, since
		}
	}
	return "", Date{}
}

// Disposition archives or disposes of documents of a unit's registers by a
// decision.
type Disposition struct {
	UnitID    int64   `json:"unit_id"`
	Action    string  `json:"action"`
	Documents []int64 `json:"documents"`
	Decision  string  `json:"decision"` // the decision's symbol, parsed by ParseSymbol
	Day       Date    `json:"-"`
}
