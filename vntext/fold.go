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
	if out, ok := foldFast(s); ok {
		return out
	}
	return foldSlow(s)
}

// foldTable maps each precomposed Latin letter (Latin-1, Latin Extended,
// Vietnamese in Latin Extended Additional) to what foldSlow makes of it,
// when that is one ASCII letter: imports fold millions of names, and the
// normalization chain costs some microseconds a name.
var foldTable = func() map[rune]byte {
	t := map[rune]byte{}
	for _, rg := range [][2]rune{{0xC0, 0x24F}, {0x1E00, 0x1EFF}} {
		for r := rg[0]; r <= rg[1]; r++ {
			if f := foldSlow(string(r)); len(f) == 1 && f[0] >= 'a' && f[0] <= 'z' {
				t[r] = f[0]
			}
		}
	}
	return t
}()

// foldFast folds s when every rune is ASCII or in foldTable (ok false
// otherwise: combining marks, other scripts, other spaces).
func foldFast(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	space := true // at the start, or after a space: drop spaces
	for _, r := range s {
		var c byte
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			space = true
			continue
		case r < 0x80:
			c = byte(r)
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
		default:
			f, ok := foldTable[r]
			if !ok {
				return "", false
			}
			c = f
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return string(b), true
}

// foldSlow is Fold by decomposition: any text.
func foldSlow(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.Map(func(r rune) rune {
		switch r {
		case 'đ', 'Đ', 'ð', 'Ð': // Ð (U+00D0) is typed for Đ in converted legacy data
			return 'd'
		}
		return unicode.ToLower(r)
	}, out)
	return strings.Join(strings.Fields(out), " ")
}
