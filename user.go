package partyworks

import (
	"context"
	"time"
)

// Role is what a user may do inside the subtree of a grant.
type Role string

// The roles. docs/SECURITY.md holds the matrix of role × action × scope.
const (
	RoleAdmin  Role = "admin"  // manages users, imports and restructures, reads the audit trail
	RoleStaff  Role = "staff"  // department staff: reads and records changes below the grant's unit
	RoleLeader Role = "leader" // reads everything in the subtree, changes nothing
	RoleMember Role = "member" // self-service: their own unit and, later, their own record
)

// Roles lists the roles, most powerful first.
var Roles = []Role{RoleAdmin, RoleStaff, RoleLeader, RoleMember}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if v == r {
			return true
		}
	}
	return false
}

// User is an account.
type User struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Disabled    bool      `json:"disabled"`
	TOTP        bool      `json:"totp"` // has a second factor
	CreatedAt   time.Time `json:"created_at"`
	Version     int64     `json:"version"`
	Grants      []Grant   `json:"grants"`
}

// Grant gives a user a role over a unit's subtree; UnitID 0 means the
// whole tree (a national administrator).
type Grant struct {
	ID       int64  `json:"id"`
	UserID   int64  `json:"user_id"`
	Role     Role   `json:"role"`
	UnitID   int64  `json:"unit_id,omitempty"`
	UnitName string `json:"unit_name,omitempty"`
	UnitPath string `json:"-"` // the unit's path today; "" for the whole tree
}

// UserFilter selects users.
type UserFilter struct {
	Query      string
	UnderPaths []string // only users with a grant inside one of these subtrees; nil for all
	AfterID    int64
	Limit      int
}

// Session is a logged-in browser. The token is only ever handed out once;
// the store keeps its hash.
type Session struct {
	Token     string
	UserID    int64
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
	CSRF      string
}

// UserService keeps accounts, grants, sessions and API tokens.
type UserService interface {
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, error)
	CreateUser(ctx context.Context, u *User, password string) error
	SetPassword(ctx context.Context, userID int64, password string) error
	SetDisabled(ctx context.Context, userID int64, disabled bool, version int64) error
	// Authenticate checks a password; it throttles by (account, address)
	// and by address, so that nobody can lock another user out.
	Authenticate(ctx context.Context, username, password, addr string) (*User, error)
	AddGrant(ctx context.Context, g *Grant) error
	RemoveGrant(ctx context.Context, grantID int64) error
	CreateSession(ctx context.Context, userID int64, addr string) (*Session, error)
	// SessionUser finds the user of a live session and extends it.
	SessionUser(ctx context.Context, token string) (*User, *Session, error)
	DeleteSession(ctx context.Context, token string) error
	CreateToken(ctx context.Context, userID int64, name string) (string, error)
	TokenUser(ctx context.Context, token string) (*User, error)

	// The second factor (TOTP). A login with a second factor passes the
	// password (Authenticate), gets a challenge (StartChallenge) and
	// exchanges it with a code for the user (VerifyTOTP); a code works once.
	NewTOTPSecret(account string) (secret, uri string, err error)
	EnableTOTP(ctx context.Context, userID int64, password, secret, code string) error
	DisableTOTP(ctx context.Context, userID int64) error
	StartChallenge(ctx context.Context, userID int64, addr string) (string, error)
	VerifyTOTP(ctx context.Context, challenge, code, addr string) (*User, error)
}
