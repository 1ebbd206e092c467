package partyworks_test

import (
	"strings"
	"testing"

	"partyworks"
)

func day(s string) partyworks.Date {
	d, err := partyworks.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestValidateCitizenID(t *testing.T) {
	for _, c := range []struct {
		id, birth string
		sex       partyworks.Sex
		bad       string // part of the message; "" = valid
	}{
		{"022090001234", "1990-05-01", partyworks.Male, ""},
		{"022190001234", "1990-05-01", partyworks.Female, ""},
		{"001305001234", "2005-01-01", partyworks.Female, ""},
		{"022090001234", "1990-05-01", partyworks.Female, "digit 4"},
		{"022091001234", "1990-05-01", partyworks.Male, "born in 1991"},
		{"022290001234", "1990-05-01", partyworks.Male, "born in 2090"},
		{"097090001234", "1990-05-01", partyworks.Male, "province code"},
		{"000090001234", "1990-05-01", partyworks.Male, "province code"},
		{"02209000123", "1990-05-01", partyworks.Male, "12 digits"},
		{"02209000123x", "1990-05-01", partyworks.Male, "only digits"},
	} {
		err := partyworks.ValidateCitizenID(c.id, day(c.birth), c.sex)
		if c.bad == "" && err != nil {
			t.Errorf("%s: %v", c.id, err)
		}
		if c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)) {
			t.Errorf("%s: got %v, want an error about %q", c.id, err, c.bad)
		}
	}
}

func TestNameParts(t *testing.T) {
	f, m, g := partyworks.NameParts(" Nguyễn  Thị Minh Khai ")
	if f != "Nguyễn" || m != "Thị Minh" || g != "Khai" {
		t.Errorf("got %q %q %q", f, m, g)
	}
	if f, m, g := partyworks.NameParts("An"); f != "" || m != "" || g != "An" {
		t.Errorf("one word: %q %q %q", f, m, g)
	}
}

func TestValidateMemberDates(t *testing.T) {
	m := &partyworks.Member{FullName: "Trần Văn Bình", Sex: partyworks.Male, BirthDate: day("1990-05-01"), CitizenID: "022090001234",
		UnitID: 1, Status: partyworks.StatusOfficial, Admitted: day("2015-01-01"), Ceremony: day("2014-12-01")}
	err := partyworks.ValidateMember(m, day("2025-01-01"))
	if err == nil || partyworks.ErrorField(err) != "ceremony" {
		t.Fatalf("a ceremony before the decision: %v", err)
	}
	m.Ceremony = day("2015-02-01")
	m.BirthDate = day("2026-01-01")
	if err := partyworks.ValidateMember(m, day("2025-01-01")); err == nil || partyworks.ErrorField(err) != "birth_date" {
		t.Fatalf("a birth in the future: %v", err)
	}
}
