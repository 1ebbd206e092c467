package partyworks

import "fmt"

// ValidateCitizenID checks a 12-digit citizen ID (căn cước) against the
// holder's birth date and sex: digits 1–3 are the province of birth
// registration (001–096), digit 4 codes the century and sex (0/1: 1900s
// male/female, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 2300s), digits 5–6
// are the last two digits of the birth year. A zero birth date or empty
// sex skips the matching checks.
func ValidateCitizenID(id string, birth Date, sex Sex) error {
	if len(id) != 12 {
		return FieldErrorf("citizen_id", "%q is not a citizen ID: it must have 12 digits (it has %d characters)", id, len(id))
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return FieldErrorf("citizen_id", "%q is not a citizen ID: it must have only digits", id)
		}
	}
	prov := int(id[0]-'0')*100 + int(id[1]-'0')*10 + int(id[2]-'0')
	if prov < 1 || prov > 96 {
		return FieldErrorf("citizen_id", "%q: the first three digits %s are not a province code (001–096)", id, id[:3])
	}
	code := int(id[3] - '0')
	century := 1900 + 100*(code/2)
	if code >= 8 {
		century = 2300
	}
	csex := Male
	if code%2 == 1 {
		csex = Female
	}
	yy := int(id[4]-'0')*10 + int(id[5]-'0')
	if !birth.IsZero() {
		if y := birth.Year(); y/100*100 != century || y%100 != yy {
			return FieldErrorf("citizen_id", "%q says born in %d (digits 4–6: %c, %02d), but the birth date is %s", id, century+yy, id[3], yy, FormatDateVN(birth))
		}
	}
	if sex != "" && sex != csex {
		return FieldErrorf("citizen_id", "%q is the ID of a %s (digit 4 is %c), but the record says %s", id, csex, id[3], sex)
	}
	return nil
}

// ValidCardNumber checks a party card number: 6 to 12 digits (the
// format is UNVERIFIED; the rule is kept loose on purpose).
func ValidCardNumber(s string) error {
	if s == "" {
		return nil
	}
	if len(s) < 6 || len(s) > 12 {
		return FieldErrorf("card_number", "%q is not a party card number: 6 to 12 digits", s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return FieldErrorf("card_number", "%q is not a party card number: digits only", s)
		}
	}
	return nil
}

// ValidRecordNumber checks a record number (số lý lịch): letters, digits,
// "-" and "/", at most 20 characters.
func ValidRecordNumber(s string) error {
	if len(s) > 20 {
		return FieldErrorf("record_number", "%q is too long for a record number (at most 20 characters)", s)
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '/') {
			return FieldErrorf("record_number", "%q: a record number has letters, digits, - and / only", s)
		}
	}
	return nil
}

// ValidateMember checks a record's own fields (not the lifecycle).
func ValidateMember(m *Member, today Date) error {
	if len([]rune(m.FullName)) < 2 || len(m.FullName) > 100 {
		return FieldErrorf("full_name", "write the full name (2 to 100 characters)")
	}
	if m.Sex != Male && m.Sex != Female {
		return FieldErrorf("sex", "write the sex: nam or nữ")
	}
	if m.BirthDate.IsZero() {
		return FieldErrorf("birth_date", "the birth date is missing")
	}
	if m.BirthDate.After(today) || m.BirthDate.Year() < 1900 {
		return FieldErrorf("birth_date", "%s is not a possible birth date", FormatDateVN(m.BirthDate))
	}
	if err := ValidateCitizenID(m.CitizenID, m.BirthDate, m.Sex); err != nil {
		return err
	}
	if err := ValidCardNumber(m.CardNumber); err != nil {
		return err
	}
	if err := ValidRecordNumber(m.RecordNumber); err != nil {
		return err
	}
	if m.UnitID == 0 {
		return FieldErrorf("unit", "choose the member's party cell")
	}
	if !m.Status.Valid() {
		return FieldErrorf("status", "%q is not a member status", m.Status)
	}
	for _, d := range []struct {
		name string
		d    Date
	}{{"admitted", m.Admitted}, {"ceremony", m.Ceremony}, {"youth_union", m.YouthUnion}} {
		if !d.d.IsZero() && (d.d.Before(m.BirthDate) || d.d.After(today)) {
			return FieldErrorf(d.name, "%s is not possible: before the birth date or in the future", FormatDateVN(d.d))
		}
	}
	if !m.Ceremony.IsZero() && !m.Admitted.IsZero() && m.Ceremony.Before(m.Admitted) {
		return FieldErrorf("ceremony", "the ceremony (%s) cannot come before the admission decision (%s)", FormatDateVN(m.Ceremony), FormatDateVN(m.Admitted))
	}
	if m.Status.Member() && m.Admitted.IsZero() {
		return FieldErrorf("admitted", "a %s member needs the admission date", m.Status)
	}
	return nil
}

// ageMonths is the age in whole months on day at.
func ageMonths(birth, at Date) int {
	m := (at.Year()-birth.Year())*12 + int(at.Month()) - int(birth.Month())
	if at.Day() < birth.Day() {
		m--
	}
	return m
}

// AgeMonths is a person's age in whole months on a day.
func AgeMonths(birth, at Date) int { return ageMonths(birth, at) }

// YearsMonths writes a number of months as "17 years 11 months".
func YearsMonths(months int) string {
	return fmt.Sprintf("%d years %d months", months/12, months%12)
}
