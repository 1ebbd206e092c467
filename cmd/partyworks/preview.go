package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"partyworks"
)

// previewPrinter writes what a restructuring plan does: the count of each
// list, then the first entries of each.
type previewPrinter struct {
	w     io.Writer
	limit int // entries per list; 0 for all
}

func (p previewPrinter) print(file string, rows int, pv *partyworks.PlanPreview, took time.Duration) {
	eff, _ := partyworks.ParseDate(pv.Effective)
	fmt.Fprintf(p.w, "%s: %d rows, effective %s, decision %s\n", file, rows, partyworks.FormatDateVN(eff), pv.Decision)
	if pv.Applied {
		fmt.Fprintf(p.w, "Applied as plan %d (%v).\n\n", pv.PlanID, took)
	} else {
		fmt.Fprintf(p.w, "Dry run: nothing was written (%v).\n\n", took)
	}
	for _, c := range []struct {
		name string
		n    int
	}{
		{"created", len(pv.Created)}, {"merged", len(pv.Merged)}, {"renamed", len(pv.Renamed)},
		{"reparented", len(pv.Reparented)}, {"dissolved", len(pv.Dissolved)}, {"split", len(pv.Split)},
		{"review", len(pv.Review)}, {"unchanged", pv.Unchanged},
	} {
		fmt.Fprintf(p.w, "  %-11s %6d\n", c.name, c.n)
	}
	p.list("Created", len(pv.Created), func(i int) string { return unitText(pv.Created[i]) })
	p.list("Merged", len(pv.Merged), func(i int) string { return mergeText(pv.Merged[i], "←") })
	p.list("Renamed", len(pv.Renamed), func(i int) string {
		r := pv.Renamed[i]
		return fmt.Sprintf("%s (was %s)", unitText(r.Unit), r.OldName)
	})
	p.list("Reparented", len(pv.Reparented), func(i int) string {
		m := pv.Reparented[i]
		return fmt.Sprintf("%s: from %s to %s", unitText(m.Unit), unitText(m.From), unitText(m.To))
	})
	p.list("Dissolved (they end the day before)", len(pv.Dissolved), func(i int) string {
		d := pv.Dissolved[i]
		if d.Into != "" {
			return fmt.Sprintf("%s — %s into %s", unitText(d), d.Reason, d.Into)
		}
		return fmt.Sprintf("%s — %s", unitText(d), d.Reason)
	})
	p.list("Split", len(pv.Split), func(i int) string { return mergeText(pv.Split[i], "→") })
	p.list("Review: children whose new parent a person should confirm (--assign CHILD=PARENT)", len(pv.Review), func(i int) string {
		r := pv.Review[i]
		s := fmt.Sprintf("%s, from %s → %s", unitText(r.Child), unitText(r.From), unitText(r.Default))
		if len(r.Options) > 1 {
			codes := make([]string, len(r.Options))
			for j, o := range r.Options {
				codes[j] = o.Code
			}
			s += " (options: " + strings.Join(codes, ", ") + ")"
		}
		return s
	})
}

// list writes the heading and the first entries of one list.
func (p previewPrinter) list(title string, n int, entry func(i int) string) {
	if n == 0 {
		return
	}
	shown := n
	if p.limit > 0 && n > p.limit {
		shown = p.limit
		fmt.Fprintf(p.w, "\n%s — first %d of %d:\n", title, shown, n)
	} else {
		fmt.Fprintf(p.w, "\n%s — %d:\n", title, n)
	}
	for i := range shown {
		fmt.Fprintf(p.w, "  %s\n", entry(i))
	}
}

func unitText(u partyworks.PlanUnit) string {
	if u.Code == "" && u.Name == "" {
		return "—"
	}
	return u.Code + " " + u.Name
}

// mergeText writes a target and its sources, at most five of them.
func mergeText(m partyworks.PlanMerge, arrow string) string {
	var names []string
	for i, s := range m.Sources {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(m.Sources)-5))
			break
		}
		names = append(names, unitText(s))
	}
	return fmt.Sprintf("%s %s %s", unitText(m.Target), arrow, strings.Join(names, "; "))
}
