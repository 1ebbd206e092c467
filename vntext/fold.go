// Package vntext handles Vietnamese text: folding for diacritic-insensitive
// search and the collation Vietnamese lists sort by.
package vntext

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lowers s and strips its diacritics, "đ" included, so that
// "Nguyễn Văn Đặng" and "nguyen van dang" fold to the same text. Spaces are
// collapsed. It is used both on stored names and on queries.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.Map(func(r rune) rune {
		switch r {
		case 'đ', 'Đ':
			return 'd'
		}
		return unicode.ToLower(r)
	}, out)
	return strings.Join(strings.Fields(out), " ")
}
