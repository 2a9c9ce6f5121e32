package web

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"puente/internal/access"
	"puente/internal/directory"
	"puente/internal/i18n"
)

func (s *Server) registerDirectory() {
	s.handle("GET /directory/match", access.SignedIn, s.directoryMatch)
}

type shownMatch struct {
	directory.Match
	Reasons []string
	Note    string
}

type shownExclusion struct {
	directory.Exclusion
	Reasons []string
}

type matchData struct {
	Places     []directory.Place
	Vocab      vocab
	Q          map[string]string
	Needs      []string
	Searched   bool
	Matches    []shownMatch
	Excluded   []shownExclusion
	Unmet      []string
	Errs       formErrors
	StatusVals []string
	// Action is where the form goes; CaseID, when set, is the case the
	// match is for, and each match offers to refer the survivor.
	Action   string
	CaseID   int64
	CanRefer bool
}

// matchFields are the profile fields of the match form.
var matchFields = []string{"place", "gender", "age", "age_band", "exploitation", "languages", "status", "side"}

func newMatchData(q url.Values) matchData {
	d := matchData{Places: directory.BorderCities, Vocab: caseVocab, Q: map[string]string{}, Needs: q["need"],
		StatusVals: []string{"unknown", "documented", "undocumented"}, Action: "/directory/match"}
	for _, k := range matchFields {
		d.Q[k] = strings.TrimSpace(q.Get(k))
	}
	return d
}

// directoryMatch finds services for a survivor's needs and profile on both
// sides of the border. The profile is non-identifying (age, gender, form of
// exploitation, languages, a city), so it can travel in the URL and the
// page can be bookmarked or shared with a colleague.
func (s *Server) directoryMatch(w http.ResponseWriter, r *http.Request) error {
	d := newMatchData(r.URL.Query())
	return s.renderMatch(w, r, &d)
}

// renderMatch runs the match the form in d asks for, if it names a need,
// and renders the page.
func (s *Server) renderMatch(w http.ResponseWriter, r *http.Request, d *matchData) error {
	if len(d.Needs) == 0 {
		return s.render(w, r, http.StatusOK, "directory_match.html", "directory.match.title", d)
	}
	d.Searched = true
	p := matchProfile(d)
	if err := p.Normalize(); err != nil {
		errs, ok := invalidFields(err)
		if !ok {
			return err
		}
		maps.Copy(d.Errs, errs)
	}
	if len(d.Errs) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "directory_match.html", "directory.match.title", d)
	}
	_, ix, err := s.dir.Current(r.Context())
	if err != nil {
		return err
	}
	res := ix.Match(p, s.now(), directory.Options{IncludeExcluded: true, ExcludedLimit: 30})
	lang := stateOf(r).lang
	for _, m := range res.Matches {
		sm := shownMatch{Match: m, Reasons: translateReasons(lang, m.Reasons)}
		if m.CrossBorderNote != "" {
			sm.Note = i18n.T(lang, m.CrossBorderNote)
		}
		d.Matches = append(d.Matches, sm)
	}
	for _, x := range res.Excluded {
		d.Excluded = append(d.Excluded, shownExclusion{Exclusion: x, Reasons: translateReasons(lang, x.Reasons)})
	}
	d.Unmet = res.UnmetNeeds
	return s.render(w, r, http.StatusOK, "directory_match.html", "directory.match.title", d)
}

// matchProfile reads the form into a profile; a malformed age is a field
// error in d.
func matchProfile(d *matchData) directory.Profile {
	d.Errs = formErrors{}
	p := directory.Profile{Gender: d.Q["gender"], AgeBand: d.Q["age_band"], Languages: splitList(d.Q["languages"]),
		ImmigrationStatus: d.Q["status"], Side: d.Q["side"], Needs: d.Needs}
	if v := d.Q["age"]; v != "" {
		n, err := strconv.Atoi(v)
		if err == nil {
			p.Age = &n
		} else {
			d.Errs["age"] = "field.out_of_range"
		}
	}
	if e := d.Q["exploitation"]; e != "" {
		p.Exploitation = []string{e}
	}
	if pl, ok := directory.BorderCity(d.Q["place"]); ok {
		pt := pl.Point
		p.Location, p.Country, p.Area = &pt, pl.Country, pl.Area
	}
	return p
}

// translateReasons renders the matcher's reasons in lang. Arguments that
// are vocabulary codes (genders, forms of trafficking, countries) are
// translated too; an empty bound reads as a dash.
func translateReasons(lang string, rs []directory.Reason) []string {
	var out []string
	for _, r := range rs {
		args := make([]any, len(r.Args))
		for i, a := range r.Args {
			args[i] = translateArg(lang, a)
		}
		out = append(out, i18n.T(lang, r.Key, args...))
	}
	return out
}

func translateArg(lang, arg string) string {
	if arg == "" {
		return "—"
	}
	parts := strings.Split(arg, ",")
	for i, p := range parts {
		for _, prefix := range []string{"gender.", "directory.arg.", "country."} {
			if i18n.Has(lang, prefix+p) {
				parts[i] = i18n.T(lang, prefix+p)
				break
			}
		}
	}
	return strings.Join(parts, ", ")
}
