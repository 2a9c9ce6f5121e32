package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/auth"
	"puente/internal/password"
	"puente/internal/text"
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
// other session of the user.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	u := st.user
	errs := formErrors{}
	current, next, confirm := r.PostForm.Get("current"), r.PostForm.Get("new"), r.PostForm.Get("confirm")
	if len(current) > 4*password.MaxLength {
		errs["current"] = "account.current_wrong"
	} else if ok, _, err := password.Verify(current, u.PasswordHash, s.cfg.Password); err != nil {
		return err
	} else if !ok {
		errs["current"] = "account.current_wrong"
	}
	if key := password.Check(next, u.Email, u.Name); key != "" {
		errs["new"] = key
	} else if next != confirm {
		errs["confirm"] = "account.confirm_mismatch"
	}
	if len(errs) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "account.html", "account.title", accountData{Errs: errs, SecondFactor: st.secondFactor})
	}
	hash, err := password.Hash(next, s.cfg.Password)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(r.Context(), u.ID, hash, st.session.Hash); err != nil {
		return err
	}
	s.log.Info("password changed", "ref", st.ref, "user_id", u.ID)
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
	toks, err := s.store.Tokens(r.Context(), stateOf(r).user.ID)
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

// maxTokenDays bounds a token's life: a forgotten token in a script should
// not stay a key to the system for years.
const maxTokenDays = 365

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	u := stateOf(r).user
	d := tokensData{Name: r.PostForm.Get("name"), Chosen: r.PostForm["scope"], Days: strings.TrimSpace(r.PostForm.Get("days")), Errs: formErrors{}}
	name, key := text.Clean(d.Name, 80)
	if key == "" && name == "" {
		key = text.KeyRequired
	}
	if key != "" {
		d.Errs["name"] = key
	}
	if len(d.Chosen) == 0 {
		d.Errs["scope"] = "tokens.scope_required"
	}
	for _, sc := range d.Chosen {
		if !access.ValidScope(sc) {
			d.Errs["scope"] = "field.choose_one"
		}
	}
	days, err := strconv.Atoi(d.Days)
	if err != nil || days < 1 || days > maxTokenDays {
		d.Errs["days"] = "tokens.days_range"
	}
	if len(d.Errs) > 0 {
		return s.renderTokens(w, r, http.StatusUnprocessableEntity, d)
	}
	bearer, tok := auth.NewToken(u.ID, name, d.Chosen, s.now(), time.Duration(days)*24*time.Hour)
	if err := s.store.CreateToken(r.Context(), &tok); err != nil {
		return err
	}
	s.log.Info("api token created", "ref", stateOf(r).ref, "user_id", u.ID, "token_id", tok.ID)
	return s.renderTokens(w, r, http.StatusCreated, tokensData{New: bearer, Days: "90"})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u := stateOf(r).user
	if err := s.store.RevokeToken(r.Context(), u.ID, id); err != nil {
		return err
	}
	s.log.Info("api token revoked", "ref", stateOf(r).ref, "user_id", u.ID, "token_id", id)
	return redirect(w, r, "/account/tokens", "token_revoked")
}
