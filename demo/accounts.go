package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"

	"partyworks"
)

// account is a demo user: one per role, with fictional names.
type account struct {
	username, display string
	role              partyworks.Role
	unitCode          string // "" for the whole tree
}

var accounts = []account{
	{"admin", "Quản trị hệ thống", partyworks.RoleAdmin, ""},
	{"tochuc.qn", "Lê Thị Hồng Nhung", partyworks.RoleStaff, provinceCode}, // Ban Tổ chức Tỉnh ủy
	{"lanhdao.qn", "Đỗ Minh Quang", partyworks.RoleLeader, provinceCode},   // a Standing Committee member
	{"halong.staff", "Vũ Thanh Tùng", partyworks.RoleStaff, "06688"},       // Đảng ủy phường Hạ Long
	{"dangvien", "Hoàng Thị Mai", partyworks.RoleMember, "06691.KP1"},      // a cell once of Hồng Gai
	{"hanoi.admin", "Ngô Đức Anh", partyworks.RoleAdmin, "01"},             // Thành ủy Hà Nội
}

// accounts creates the demo users, each with a fresh password and one
// grant on the tree as it stands after the reorganization.
func (s *seeder) accounts(ctx context.Context) (*Logins, error) {
	logins := &Logins{}
	for _, a := range accounts {
		l, err := s.account(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", a.username, err)
		}
		logins.Accounts = append(logins.Accounts, l)
	}
	return logins, nil
}

func (s *seeder) account(ctx context.Context, a account) (Login, error) {
	g := &partyworks.Grant{Role: a.role}
	l := Login{Username: a.username, Password: NewPassword(), Role: string(a.role)}
	if a.unitCode != "" {
		u, err := s.units.FindUnitByCode(ctx, a.unitCode, reorgDay)
		if err != nil {
			return l, err
		}
		g.UnitID, l.Scope = u.ID, fmt.Sprintf("%s (%s)", u.Name, u.Code)
	}
	u := &partyworks.User{Username: a.username, DisplayName: a.display}
	if err := s.users.CreateUser(ctx, u, l.Password); err != nil {
		return l, err
	}
	g.UserID = u.ID
	return l, s.users.AddGrant(ctx, g)
}

// NewPassword returns a random password that is easy to read out and
// type: 16 base32 characters (80 bits) in groups of four, "k7qm-…".
func NewPassword() string {
	b := make([]byte, 10)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	s := strings.ToLower(base32.StdEncoding.EncodeToString(b))
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}
