package web

import (
	"net/http"
	"strconv"
	"strings"

	"partyworks"
)

type accountPage struct {
	Page
}

func (s *Server) htmlAccount(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "account.html", &accountPage{Page: s.page(r, "account.title")})
}

type usersPage struct {
	Page
	Users []*partyworks.User
	Query string
	Roles []partyworks.Role
	Form  userForm
	Field string
}

type userForm struct{ Username, DisplayName, Role, UnitCode string }

// managedFilter limits a user list to what the caller administers.
func managedFilter(u *partyworks.User) []string {
	if u.Can(partyworks.ActUserManage, "") {
		return nil
	}
	paths := []string{}
	for _, g := range u.Grants {
		if g.Role == partyworks.RoleAdmin && g.UnitPath != "" {
			paths = append(paths, g.UnitPath)
		}
	}
	return paths
}

func (s *Server) usersPage(r *http.Request) (*usersPage, error) {
	p := &usersPage{Page: s.page(r, "users.title"), Query: r.URL.Query().Get("q"), Roles: partyworks.Roles}
	p.Nav = "users"
	var err error
	p.Users, err = s.Users.FindUsers(r.Context(), partyworks.UserFilter{Query: p.Query, UnderPaths: managedFilter(p.User), Limit: 200})
	return p, err
}

func (s *Server) htmlUsers(w http.ResponseWriter, r *http.Request) {
	p, err := s.usersPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "users.html", p)
}

// htmlUserCreate creates a user with a first grant: a scoped administrator
// may only create users inside their subtree.
func (s *Server) htmlUserCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f := userForm{Username: strings.TrimSpace(r.PostFormValue("username")), DisplayName: strings.TrimSpace(r.PostFormValue("display_name")),
		Role: r.PostFormValue("role"), UnitCode: strings.TrimSpace(r.PostFormValue("unit_code"))}
	u, err := s.createUser(r, f, r.PostFormValue("password"))
	if err != nil {
		if code := partyworks.ErrorCode(err); code == partyworks.EINTERNAL || code == partyworks.EFORBIDDEN {
			s.fail(w, r, err)
			return
		}
		p, perr := s.usersPage(r)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		p.Form, p.Field, p.Error = f, partyworks.ErrorField(err), partyworks.ErrorMessage(err)
		s.render(w, r, statusOf(err), "users.html", p)
		return
	}
	http.Redirect(w, r, "/users/"+itoa(u.ID), http.StatusSeeOther)
}

// createUser checks the first grant's scope before creating anything.
func (s *Server) createUser(r *http.Request, f userForm, password string) (*partyworks.User, error) {
	g, err := s.grantFor(r, f.Role, f.UnitCode)
	if err != nil {
		return nil, err
	}
	u := &partyworks.User{Username: f.Username, DisplayName: f.DisplayName}
	if err := s.Users.CreateUser(r.Context(), u, password); err != nil {
		return nil, err
	}
	g.UserID = u.ID
	return u, s.Users.AddGrant(r.Context(), g)
}

// grantFor reads a role and a unit code into a grant the caller may give:
// inside the caller's own administration scope ("" is the whole tree).
func (s *Server) grantFor(r *http.Request, role, unitCode string) (*partyworks.Grant, error) {
	g := &partyworks.Grant{Role: partyworks.Role(role)}
	if !g.Role.Valid() {
		return nil, partyworks.FieldErrorf("role", "choose a role")
	}
	path := ""
	if unitCode != "" {
		unit, err := s.Units.FindUnitByCode(r.Context(), unitCode, s.today())
		if err != nil {
			return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "unit_code", Message: partyworks.ErrorMessage(err)}
		}
		g.UnitID, path = unit.ID, unit.Path
	}
	if err := s.check(r, partyworks.ActUserManage, target{Any: []string{path}}); err != nil {
		return nil, err
	}
	return g, nil
}

type userPage struct {
	Page
	Subject *partyworks.User
	Roles   []partyworks.Role
	Form    userForm
	Field   string
}

func (s *Server) userPageFor(r *http.Request) (*userPage, error) {
	id, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := &userPage{Page: s.page(r, "users.title"), Subject: u, Roles: partyworks.Roles}
	p.Nav, p.Title = "users", u.DisplayName
	return p, nil
}

func (s *Server) htmlUser(w http.ResponseWriter, r *http.Request) {
	p, err := s.userPageFor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "user.html", p)
}

func (s *Server) htmlGrant(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	p, err := s.userPageFor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := userForm{Role: r.PostFormValue("role"), UnitCode: strings.TrimSpace(r.PostFormValue("unit_code"))}
	g, err := s.grantFor(r, f.Role, f.UnitCode)
	if err == nil {
		g.UserID = p.Subject.ID
		err = s.Users.AddGrant(r.Context(), g)
	}
	if err != nil {
		if code := partyworks.ErrorCode(err); code == partyworks.EINTERNAL || code == partyworks.EFORBIDDEN {
			s.fail(w, r, err)
			return
		}
		p.Form, p.Field, p.Error = f, partyworks.ErrorField(err), partyworks.ErrorMessage(err)
		s.render(w, r, statusOf(err), "user.html", p)
		return
	}
	http.Redirect(w, r, "/users/"+itoa(p.Subject.ID), http.StatusSeeOther)
}

func (s *Server) htmlRevoke(w http.ResponseWriter, r *http.Request) {
	if err := s.revoke(r); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+r.PathValue("uid"), http.StatusSeeOther)
}

// revoke removes one of the path user's grants; the grant id must belong
// to that user, whose scope guard has checked.
func (s *Server) revoke(r *http.Request) error {
	uid, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	gid, _ := strconv.ParseInt(r.PathValue("gid"), 10, 64)
	u, err := s.Users.FindUserByID(r.Context(), uid)
	if err != nil {
		return err
	}
	for _, g := range u.Grants {
		if g.ID == gid {
			return s.Users.RemoveGrant(r.Context(), gid)
		}
	}
	return partyworks.Errorf(partyworks.ENOTFOUND, "no such grant")
}

func (s *Server) htmlDisable(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	uid, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	if uid == userFrom(r).ID {
		s.fail(w, r, partyworks.Errorf(partyworks.EINVALID, "you cannot disable your own account"))
		return
	}
	if err := s.Users.SetDisabled(r.Context(), uid, r.PostFormValue("disabled") == "1", formID(r.PostFormValue("version"))); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+itoa(uid), http.StatusSeeOther)
}
