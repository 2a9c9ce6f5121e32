package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/auth"
)

type accountData struct {
	Errs         formErrors
	SecondFactor bool
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "account.html", "account.title", accountData{SecondFactor: stateOf(r).secondFactor})
}

// changePassword needs the current password, so a session left open on a
// shared computer cannot be turned into a permanent takeover. It ends every
// other session of the user and revokes their API tokens.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	f := r.PostForm
	err := s.admin.ChangeOwnPassword(r.Context(), caseRequest(r), f.Get("current"), f.Get("new"), f.Get("confirm"), st.session.Hash)
	if errs, ok := invalidFields(err); ok {
		return s.render(w, r, http.StatusUnprocessableEntity, "account.html", "account.title", accountData{Errs: errs, SecondFactor: st.secondFactor})
	} else if err != nil {
		return err
	}
	s.log.Info("password changed", "ref", st.ref, "user_id", st.user.ID)
	return redirect(w, r, "/account", "password_changed")
}

type tokensData struct {
	Tokens []auth.Token
	Scopes []string
	Now    time.Time
	New    string // the bearer string, shown once after creation
	Name   string
	Chosen []string
	Days   string
	Errs   formErrors
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, http.StatusOK, tokensData{Days: "90"})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, d tokensData) error {
	toks, err := s.admin.Tokens(r.Context(), caseRequest(r))
	if err != nil {
		return err
	}
	d.Tokens, d.Now = toks, s.now()
	for sc := range access.Scopes {
		d.Scopes = append(d.Scopes, sc)
	}
	slices.Sort(d.Scopes)
	return s.render(w, r, status, "tokens.html", "tokens.title", d)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	d := tokensData{Name: r.PostForm.Get("name"), Chosen: r.PostForm["scope"], Days: strings.TrimSpace(r.PostForm.Get("days"))}
	days, err := strconv.Atoi(d.Days)
	if err != nil {
		days = 0 // the service says the number is out of range
	}
	bearer, tok, err := s.admin.CreateToken(r.Context(), caseRequest(r), d.Name, d.Chosen, days)
	if errs, ok := invalidFields(err); ok {
		d.Errs = errs
		return s.renderTokens(w, r, http.StatusUnprocessableEntity, d)
	} else if err != nil {
		return err
	}
	s.log.Info("api token created", "ref", stateOf(r).ref, "user_id", stateOf(r).user.ID, "token_id", tok.ID)
	return s.renderTokens(w, r, http.StatusCreated, tokensData{New: bearer, Days: "90"})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.admin.RevokeToken(r.Context(), caseRequest(r), id); err != nil {
		return err
	}
	s.log.Info("api token revoked", "ref", stateOf(r).ref, "user_id", stateOf(r).user.ID, "token_id", id)
	return redirect(w, r, "/account/tokens", "token_revoked")
}
