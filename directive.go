package partyworks

import (
	"strings"
	"time"
	"unicode/utf8"
)

// DirectiveKind says what a source of work is.
type DirectiveKind string

// The kinds of source of work.
const (
	DirResolution DirectiveKind = "resolution" // Nghị quyết (NQ)
	DirDirective  DirectiveKind = "directive"  // Chỉ thị (CT)
	DirConclusion DirectiveKind = "conclusion" // Kết luận (KL)
	DirPlan       DirectiveKind = "plan"       // Kế hoạch (KH)
	DirGuidance   DirectiveKind = "guidance"   // Hướng dẫn (HD)
	DirDecision   DirectiveKind = "decision"   // Quyết định, Quy định (QĐ)
	DirConference DirectiveKind = "conference" // the conclusions of a meeting or conference (TB, BB)
	DirOther      DirectiveKind = "other"
)

// DirectiveKinds lists the kinds, for forms.
var DirectiveKinds = []DirectiveKind{DirResolution, DirDirective, DirConclusion, DirPlan, DirGuidance, DirDecision, DirConference, DirOther}

// KindOfSymbol is the kind a document type implies ("CT" → directive).
func KindOfSymbol(s Symbol) DirectiveKind {
	switch s.Type {
	case "NQ":
		return DirResolution
	case "CT":
		return DirDirective
	case "KL":
		return DirConclusion
	case "KH", "CTr":
		return DirPlan
	case "HD":
		return DirGuidance
	case "QĐ", "QyĐ":
		return DirDecision
	case "TB", "BB":
		return DirConference
	}
	return DirOther
}

// Valid reports whether k is one of DirectiveKinds.
func (k DirectiveKind) Valid() bool {
	for _, v := range DirectiveKinds {
		if v == k {
			return true
		}
	}
	return false
}

// RollupRule is how a directive's progress is computed over a subtree,
// chosen per directive.
type RollupRule string

// The roll-up rules.
const (
	RuleShareDone RollupRule = "share"    // share of tasks done
	RuleAverage   RollupRule = "average"  // average percentage (done counts 100)
	RuleWeighted  RollupRule = "weighted" // average percentage weighted by each task's weight
)

// RollupRules lists the rules, for forms.
var RollupRules = []RollupRule{RuleShareDone, RuleAverage, RuleWeighted}

// Valid reports whether r is one of RollupRules.
func (r RollupRule) Valid() bool {
	return r == RuleShareDone || r == RuleAverage || r == RuleWeighted
}

// Directive is a source of work: a resolution, directive, conclusion,
// plan, guidance, decision or the conclusions of a conference, registered
// by a unit (OwnerID) that assigns the tasks it creates.
type Directive struct {
	ID        int64          `json:"id"`
	OwnerID   int64          `json:"owner_id"` // the registering unit
	OwnerName string         `json:"owner_name,omitempty"`
	OwnerPath string         `json:"-"`
	Symbol    string         `json:"symbol"` // "35-CT/TW"; "" for a conference without one
	Kind      DirectiveKind  `json:"kind"`
	Issuer    string         `json:"issuer"` // who issued it: "Bộ Chính trị", "Tỉnh ủy Quảng Ninh"
	Issued    Date           `json:"-"`
	Title     string         `json:"title"`
	Summary   string         `json:"summary,omitempty"`
	Rule      RollupRule     `json:"rule"`
	CreatedAt time.Time      `json:"created_at"`
	Version   int64          `json:"version"`
	Tasks     int            `json:"tasks"`           // tasks created from it (top level)
	Files     []EvidenceMeta `json:"files,omitempty"` // the directive's own files (FindDirectiveByID)
}

// Validate checks a directive before it is written; the symbol, when
// given, is parsed by ParseSymbol and written back in its canonical form.
func (d *Directive) Validate() error {
	d.Title = strings.TrimSpace(d.Title)
	d.Issuer = strings.TrimSpace(d.Issuer)
	d.Summary = strings.TrimSpace(d.Summary)
	if s := strings.TrimSpace(d.Symbol); s != "" {
		sym, err := ParseSymbol(s)
		if err != nil {
			return &Error{Code: EINVALID, Field: "symbol", Message: ErrorMessage(err)}
		}
		d.Symbol = sym.String()
		if d.Kind == "" {
			d.Kind = KindOfSymbol(sym)
		}
	} else if d.Kind != DirConference && d.Kind != DirOther {
		return FieldErrorf("symbol", "a %s needs its symbol (số và ký hiệu), e.g. 35-CT/TW; only the conclusions of a conference may have none", d.Kind)
	}
	switch {
	case d.Kind == "":
		d.Kind = DirOther
	case !d.Kind.Valid():
		return FieldErrorf("kind", "unknown kind %q", d.Kind)
	}
	if d.Rule == "" {
		d.Rule = RuleShareDone
	} else if !d.Rule.Valid() {
		return FieldErrorf("rule", "unknown roll-up rule %q: choose share, average or weighted", d.Rule)
	}
	if d.Title == "" {
		return FieldErrorf("title", "give the title (trích yếu)")
	}
	if utf8.RuneCountInString(d.Title) > 500 || utf8.RuneCountInString(d.Summary) > 10000 || utf8.RuneCountInString(d.Issuer) > 200 {
		return FieldErrorf("title", "the title, issuer or summary is too long")
	}
	if d.Issued.IsZero() {
		return FieldErrorf("issued", "give the date it was issued")
	}
	if d.OwnerID == 0 {
		return FieldErrorf("owner", "a directive is registered by a unit")
	}
	return nil
}
