// Package i18n holds the user interface's messages in Vietnamese (the
// default), English and Japanese, and the way each language writes dates,
// times and numbers.
//
// Messages live in one plain map per language (catalog_vi.go, catalog_en.go,
// catalog_ja.go) under dotted keys such as "tree.title". A test keeps the
// three maps in step: the same keys, and the same formatting verbs for the
// same arguments.
//
// Messages avoid plural forms on purpose (English "Sub-units: %d", not
// "%d sub-units"), so one string serves every count in every language.
package i18n

import (
	"fmt"
	"strconv"
	"strings"
)

// Lang is a user interface language, named by its ISO 639-1 code.
type Lang string

// The languages of the interface.
const (
	VI Lang = "vi"
	EN Lang = "en"
	JA Lang = "ja"
)

// Langs lists the languages in the order a language switcher shows them.
var Langs = []Lang{VI, EN, JA}

// Default is the language of users who have not chosen one.
const Default = VI

var catalogs = map[Lang]map[string]string{VI: catalogVI, EN: catalogEN, JA: catalogJA}

var names = map[Lang]string{VI: "Tiếng Việt", EN: "English", JA: "日本語"}

// Name is the language's name in that language, for a language switcher.
func (l Lang) Name() string {
	if n, ok := names[l]; ok {
		return n
	}
	return names[Default]
}

// Valid reports whether l is one of Langs.
func (l Lang) Valid() bool {
	_, ok := catalogs[l]
	return ok
}

// T is the message key in l; see the function T.
func (l Lang) T(key string, args ...any) string { return T(l, key, args...) }

// T returns the message for key in lang, formatted with fmt.Sprintf when
// args are given. A key missing in lang falls back to Vietnamese, and a key
// missing there too is returned as it is, so a gap shows on the page
// instead of an empty string.
func T(lang Lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		msg, ok = catalogs[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Parse reads a language from a cookie or query value ("vi", "EN") or an
// Accept-Language header ("ja-JP,ja;q=0.9,en;q=0.8"), choosing the
// supported language with the highest weight (the first one on a tie).
// Anything it cannot use gives Default.
func Parse(s string) Lang {
	best, bestQ := Default, 0.0
	for part := range strings.SplitSeq(s, ",") {
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		if i := strings.IndexAny(tag, "-_"); i >= 0 {
			tag = tag[:i]
		}
		l := Lang(tag)
		if !l.Valid() {
			continue
		}
		if q := weight(params); q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// weight reads the q parameter of one Accept-Language entry: 1 when absent,
// 0 (not acceptable) when malformed.
func weight(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}

// register adds a feature's messages (one map per language, kept in a
// catalog_<feature>.go file of this package) to the catalogs. A key that
// exists already is a programming error.
func register(vi, en, ja map[string]string) {
	for lang, msgs := range map[Lang]map[string]string{VI: vi, EN: en, JA: ja} {
		for k, v := range msgs {
			if _, dup := catalogs[lang][k]; dup {
				panic("i18n: duplicate key " + k)
			}
			catalogs[lang][k] = v
		}
	}
}
