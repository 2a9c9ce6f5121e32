package web

import (
	"net/http"
	"strconv"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/directory"
	"puente/internal/problem"
)

// registerDirectoryMembers declares the admin's page that says which
// Puente member runs each directory organization. A directory imported
// from HSDS knows nothing of Puente's members; until an organization is
// linked, referrals to its services reach no one's queue and are worked by
// phone.
func (s *Server) registerDirectoryMembers() {
	s.handle("GET /directory/organizations", access.ManageOrganizations, s.directoryMembers)
	s.handle("POST /directory/organizations/{id}/member", access.ManageOrganizations, s.directoryMemberSet)
}

type directoryMembersData struct {
	Orgs    []directory.Organization
	Members []account.Organization
	Errs    formErrors
	Failed  string // the organization whose form failed
}

func (s *Server) directoryMembers(w http.ResponseWriter, r *http.Request) error {
	return s.renderDirectoryMembers(w, r, http.StatusOK, directoryMembersData{})
}

func (s *Server) renderDirectoryMembers(w http.ResponseWriter, r *http.Request, status int, d directoryMembersData) error {
	var err error
	if d.Orgs, err = s.dir.Organizations(r.Context(), directory.Filter{}); err != nil {
		return err
	}
	if d.Members, err = s.admin.Organizations(r.Context(), caseRequest(r), account.OrgFilter{}); err != nil {
		return err
	}
	return s.render(w, r, status, "directory_members.html", "directory.members.title", d)
}

// directoryMemberSet links a directory organization to a member, or
// unlinks it. It is audited: whoever runs a listing keeps its beds and
// receives its referrals, with what survivors agree to share.
func (s *Server) directoryMemberSet(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var member *int64
	if v := r.PostForm.Get("member"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil && n > 0 {
			_, err = s.admin.Organization(r.Context(), caseRequest(r), n)
		}
		if err != nil {
			if n > 0 && !problem.Is(err, problem.NotFound) {
				return err
			}
			return s.renderDirectoryMembers(w, r, http.StatusUnprocessableEntity,
				directoryMembersData{Errs: formErrors{"member": "field.choose_one"}, Failed: id})
		}
		member = &n
	}
	if err := s.dir.LinkMember(r.Context(), caseRequest(r), id, member); err != nil {
		return err
	}
	return redirect(w, r, "/directory/organizations", "directory_member_saved")
}
