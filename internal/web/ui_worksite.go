package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/text"
	"puente/internal/worksite"
)

// registerWorksite declares the worksite inspection checklist: a form and
// the report it turns into. Nothing is stored, so there is no service and
// no audit entry; the screening roles may use it because what follows it is
// a screening.
func (s *Server) registerWorksite() {
	s.handle("GET /worksite", access.ScreeningRun, s.worksiteForm)
	s.handle("POST /worksite", access.ScreeningRun, s.worksiteReport)
}

// maxPlace bounds the place description: enough to recognize a site, too
// short for a story.
const maxPlace = 200

// worksiteEntry is what the inspector entered, kept as typed so a refused
// form comes back as it was.
type worksiteEntry struct {
	Site    string
	Place   string
	Workers string
	Minors  bool
	Signs   map[string]string
}

// worksiteSign is one sign as a page shows it, in the page's language.
type worksiteSign struct {
	ID     string
	Text   string
	Why    string
	Weight worksite.Weight
	Urgent bool
	Value  string // on the form: the value to show checked
	Err    string // on the form: the translation key of what is wrong
}

type worksiteGroup struct {
	ID    string
	Title string
	Signs []worksiteSign
}

type worksiteFormData struct {
	Sites  []worksite.Site
	Values []worksite.Value
	Groups []worksiteGroup
	Entry  worksiteEntry
	Errs   formErrors
}

type worksiteReportData struct {
	Date      time.Time
	Site      worksite.Site
	Place     string
	Workers   string
	Minors    bool
	Checked   int
	Total     int
	Level     worksite.Level
	Because   []string
	Groups    []worksiteGroup // only the signs seen
	Steps     []string
	Questions []question
}

func (s *Server) worksiteForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderWorksiteForm(w, r, http.StatusOK, worksiteEntry{}, nil)
}

// worksiteReport evaluates the checklist and shows the report. A refused
// form is shown again with what was entered and what is wrong.
func (s *Server) worksiteReport(w http.ResponseWriter, r *http.Request) error {
	entry, obs, errs := readWorksiteForm(r)
	if err := worksite.Load().Validate(obs); err != nil {
		fields, _ := invalidFields(err)
		for f, k := range fields {
			if _, seen := errs[f]; !seen {
				errs[f] = k
			}
		}
	}
	if len(errs) > 0 {
		return s.renderWorksiteForm(w, r, http.StatusUnprocessableEntity, entry, errs)
	}
	return s.render(w, r, http.StatusOK, "worksite_report.html", "worksite.report_title", s.worksiteReportData(stateOf(r).lang, entry, obs))
}

// readWorksiteForm reads the form into what was entered and the
// observation, with the errors only the web edge can see: a place that
// breaks the free-text rules and a number of workers that is not a number.
func readWorksiteForm(r *http.Request) (worksiteEntry, worksite.Observation, formErrors) {
	f := r.PostForm
	entry := worksiteEntry{Site: f.Get("site"), Place: f.Get("place"), Workers: strings.TrimSpace(f.Get("workers")), Minors: checked(r, "minors"), Signs: map[string]string{}}
	obs := worksite.Observation{Site: worksite.Site(entry.Site), Signs: map[string]worksite.Value{}, MinorsSeen: entry.Minors}
	errs := formErrors{}
	if place, key := text.Clean(entry.Place, maxPlace); key != "" {
		errs["place"] = key
	} else {
		entry.Place = place
	}
	if entry.Workers != "" {
		n, err := strconv.Atoi(entry.Workers)
		if err != nil {
			errs["workers"] = "worksite." + worksite.ReasonInvalidWorkers
		}
		obs.Workers = &n
	}
	for key, vals := range f {
		if id, ok := strings.CutPrefix(key, "sign_"); ok && len(vals) > 0 {
			entry.Signs[id] = vals[0]
			obs.Signs[id] = worksite.Value(vals[0])
		}
	}
	return entry, obs, errs
}

func (s *Server) renderWorksiteForm(w http.ResponseWriter, r *http.Request, status int, entry worksiteEntry, errs formErrors) error {
	lang := stateOf(r).lang
	c := worksite.Load()
	d := worksiteFormData{Sites: worksite.Sites, Values: worksite.Values, Entry: entry, Errs: errs}
	for _, g := range c.Groups() {
		wg := worksiteGroup{ID: g.ID, Title: g.Title(lang)}
		for _, sign := range c.Signs() {
			if sign.Group != g.ID {
				continue
			}
			ws := worksiteView(sign, lang)
			ws.Value, ws.Err = string(worksite.NotChecked), errs["signs."+sign.ID]
			if v, ok := entry.Signs[sign.ID]; ok {
				ws.Value = v
			}
			wg.Signs = append(wg.Signs, ws)
		}
		d.Groups = append(d.Groups, wg)
	}
	return s.render(w, r, status, "worksite.html", "worksite.title", d)
}

func worksiteView(sign worksite.Sign, lang string) worksiteSign {
	return worksiteSign{ID: sign.ID, Text: sign.Seen(lang), Why: sign.Why(lang), Weight: sign.Weight, Urgent: sign.Urgent}
}

func (s *Server) worksiteReportData(lang string, entry worksiteEntry, obs worksite.Observation) worksiteReportData {
	c := worksite.Load()
	a := c.Evaluate(obs)
	total := len(c.Signs())
	d := worksiteReportData{
		Date: s.now(), Site: obs.Site, Place: entry.Place, Minors: a.Minors,
		Checked: total - len(a.NotChecked), Total: total, Level: a.Level, Because: a.Because,
	}
	if obs.Workers != nil {
		d.Workers = strconv.Itoa(*obs.Workers)
	}
	for _, g := range c.Groups() {
		wg := worksiteGroup{ID: g.ID, Title: g.Title(lang)}
		for _, sign := range a.Seen {
			if sign.Group == g.ID {
				wg.Signs = append(wg.Signs, worksiteView(sign, lang))
			}
		}
		if len(wg.Signs) > 0 {
			d.Groups = append(d.Groups, wg)
		}
	}
	for _, step := range a.Steps {
		d.Steps = append(d.Steps, step.Text(lang))
	}
	for _, id := range a.AskFirst {
		if ind, ok := s.protocol.Indicator(id); ok {
			d.Questions = append(d.Questions, question{ID: id, Text: ind.Question(lang)})
		}
	}
	return d
}
