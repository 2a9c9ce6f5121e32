package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/directory"
	"puente/internal/htcds"
	"puente/internal/i18n"
	"puente/internal/problem"
)

// registerGaps declares the gap report: what the directory offers each
// kind of survivor, need by need, in each border city. It shows counts
// only, never a service's name or place, so anyone signed in may read it.
func (s *Server) registerGaps() {
	s.handle("GET /directory/gaps", access.SignedIn, s.directoryGaps)
	s.handle("GET /directory/gaps.csv", access.SignedIn, s.directoryGapsCSV)
}

// gapReaches are the radii, in km, a person can be sent within; the
// largest is the matcher's default, so the report agrees with a search on
// the Find services page.
var gapReaches = []string{"25", "50", "100", "200", strconv.Itoa(directory.DefaultMaxDistanceKm)}

// gapPagePlaces are the places the page shows when none is chosen: one
// pair of twin cities. All ten at once make a page too heavy for a phone;
// the CSV holds them all.
var gapPagePlaces = []string{"elpaso", "juarez"}

// gapFilter is what the report is asked for, from the query string.
type gapFilter struct {
	Places []string // Place IDs, in BorderCities' order
	Need   string   // one need, or "" for every need
	Km     string   // one of gapReaches
}

// parseGapFilter reads the query; with no place chosen it takes
// defaultPlaces.
func parseGapFilter(q url.Values, defaultPlaces []string) (gapFilter, error) {
	var f problem.Fields
	ids := make([]string, len(directory.BorderCities))
	for i, p := range directory.BorderCities {
		ids[i] = p.ID
	}
	g := gapFilter{Places: f.SomeOf("place", q["place"], ids), Need: q.Get("need"), Km: q.Get("km")}
	if len(g.Places) == 0 {
		g.Places = defaultPlaces
	}
	if g.Need != "" {
		f.OneOf("need", &g.Need, htcds.Needs, "")
	}
	f.OneOf("km", &g.Km, gapReaches, gapReaches[len(gapReaches)-1])
	return g, f.Err()
}

// query is the report's query for the filter.
func (g gapFilter) query() directory.GapQuery {
	q := directory.GapQuery{}
	for _, id := range g.Places {
		if p, ok := directory.BorderCity(id); ok {
			q.Places = append(q.Places, p)
		}
	}
	if g.Need != "" {
		q.Needs = []string{g.Need}
	}
	q.MaxDistanceKm, _ = strconv.ParseFloat(g.Km, 64)
	return q
}

// values is the filter as a query string, for the CSV link.
func (g gapFilter) values() url.Values {
	v := url.Values{"place": g.Places, "km": {g.Km}}
	if g.Need != "" {
		v.Set("need", g.Need)
	}
	return v
}

// gaps computes the report over the directory as it is now.
func (s *Server) gaps(r *http.Request, f gapFilter) ([]directory.Gap, error) {
	_, ix, err := s.dir.Current(r.Context())
	if err != nil {
		return nil, err
	}
	return ix.Gaps(s.now(), f.query()), nil
}

type gapsData struct {
	Places   []directory.Place
	Needs    []string
	Profiles []directory.GapProfile
	Reaches  []string
	F        gapFilter
	Errs     formErrors
	Rows     int           // rows in the table
	Table    template.HTML // the table's rows (gapTable)
	Charts   []gapChart
	Unserved int // rows with no service on their own side
	None     int // rows with none on either side
	CSV      string
	CSVAll   string
}

// directoryGaps shows the gap report for the chosen places: a summary, a
// chart per place (or one across places, for one need) and the table,
// worst gaps first.
func (s *Server) directoryGaps(w http.ResponseWriter, r *http.Request) error {
	d := gapsData{Places: directory.BorderCities, Needs: htcds.Needs, Profiles: directory.GapProfiles, Reaches: gapReaches,
		CSVAll: "/directory/gaps.csv"}
	f, err := parseGapFilter(r.URL.Query(), gapPagePlaces)
	d.F = f
	if err != nil {
		errs, ok := invalidFields(err)
		if !ok {
			return err
		}
		d.Errs = errs
		return s.render(w, r, http.StatusUnprocessableEntity, "directory_gaps.html", "gaps.title", d)
	}
	gaps, err := s.gaps(r, f)
	if err != nil {
		return err
	}
	d.CSV = "/directory/gaps.csv?" + f.values().Encode()
	d.Rows = len(gaps)
	for i := range gaps {
		if gaps[i].Unserved() {
			d.Unserved++
		}
		if gaps[i].Status() == directory.GapNone {
			d.None++
		}
	}
	lang := stateOf(r).lang
	d.Table = gapTable(lang, gaps)
	d.Charts = gapCharts(lang, f, gaps)
	return s.render(w, r, http.StatusOK, "directory_gaps.html", "gaps.title", d)
}

// directoryGapsCSV sends the report as CSV (directory.GapColumns). With no
// place chosen it holds all ten, every need and every profile.
func (s *Server) directoryGapsCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := parseGapFilter(r.URL.Query(), nil)
	if err != nil {
		return err
	}
	if len(f.Places) == 0 {
		for _, p := range directory.BorderCities {
			f.Places = append(f.Places, p.ID)
		}
	}
	gaps, err := s.gaps(r, f)
	if err != nil {
		return err
	}
	// Written whole before the headers, so that a failure is still an
	// error page and not half a file.
	var buf bytes.Buffer
	if err := directory.WriteGapsCSV(&buf, gaps); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="puente-gaps-`+s.now().UTC().Format(time.DateOnly)+`.csv"`)
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// The heat map's geometry, in SVG user units (CSS pixels at full size).
// Each row's label sits above its cells rather than beside them, so the
// chart is narrow enough (about 430 units) to scale down to a phone's
// width and still be read.
const (
	chartCellW  = 48
	chartCellH  = 28
	chartLabelH = 18 // a row's label, above its cells
	chartHeadH  = 64 // the slanted column labels
	chartRight  = 52 // room for the last slanted label
)

// gapChart is a heat map drawn as inline SVG, no script: rows (needs, or
// places) by profile columns, each cell coloured by the services on the
// place's side of the border and labelled with their number.
type gapChart struct {
	ID            string
	Title, Desc   string
	Width, Height int
	RectW, RectH  int
	Cols          []chartLabel
	Rows          []chartRow
	SVG           template.HTML // the chart, drawn by done
}

// chartLabel is a text at X, Y: a column's, slanted, or a row's.
type chartLabel struct {
	X, Y int
	Text string
}

type chartRow struct {
	Label chartLabel
	Cells []chartCell
}

type chartCell struct {
	X, Y, TextX, TextY int
	Class, Text, Title string
}

// gapCharts draws one chart per place, needs by profiles; or, when one
// need is chosen, a single chart of places by profiles.
func gapCharts(lang string, f gapFilter, gaps []directory.Gap) []gapChart {
	type key struct{ place, need, profile string }
	cell := make(map[key]*directory.Gap, len(gaps))
	for i := range gaps {
		g := &gaps[i]
		cell[key{g.Place.ID, g.Need, g.Profile}] = g
	}
	places := f.query().Places
	if f.Need != "" {
		ch := newChart(lang, "gap-chart-"+f.Need, i18n.T(lang, "gaps.chart.by_place", i18n.T(lang, "need."+f.Need)))
		for _, p := range places {
			ch.addRow(lang, p.Name, func(profile string) *directory.Gap { return cell[key{p.ID, f.Need, profile}] })
		}
		return []gapChart{ch.done()}
	}
	var out []gapChart
	for _, p := range places {
		ch := newChart(lang, "gap-chart-"+p.ID, i18n.T(lang, "gaps.chart.by_need", p.Name))
		for _, n := range htcds.Needs {
			ch.addRow(lang, i18n.T(lang, "need."+n), func(profile string) *directory.Gap { return cell[key{p.ID, n, profile}] })
		}
		out = append(out, ch.done())
	}
	return out
}

func newChart(lang, id, title string) *gapChart {
	ch := &gapChart{ID: id, Title: title, Desc: i18n.T(lang, "gaps.chart.desc"), RectW: chartCellW - 2, RectH: chartCellH - 2}
	for i, p := range directory.GapProfiles {
		x := i*chartCellW + chartCellW/2 - 4
		ch.Cols = append(ch.Cols, chartLabel{X: x, Y: chartHeadH - 6, Text: i18n.T(lang, "gaps.profile_short."+p.ID)})
	}
	return ch
}

// addRow adds a row labelled label whose cells are at(profile).
func (ch *gapChart) addRow(lang, label string, at func(profile string) *directory.Gap) {
	top := chartHeadH + len(ch.Rows)*(chartLabelH+chartCellH)
	y := top + chartLabelH
	row := chartRow{Label: chartLabel{X: 1, Y: top + chartLabelH - 5, Text: label}}
	for i, p := range directory.GapProfiles {
		g := at(p.ID)
		if g == nil {
			continue
		}
		x := i * chartCellW
		c := chartCell{X: x + 1, Y: y + 1, TextX: x + chartCellW/2, TextY: y + chartCellH/2 + 5, Text: strconv.Itoa(g.Here.Services)}
		switch n := g.Here.Services; {
		case g.Status() == directory.GapNone:
			c.Class = "hm-none"
		case g.Status() == directory.GapAcrossOnly:
			c.Class, c.Text = "hm-across", "↔"+strconv.Itoa(g.Across.Services)
		case n == 1:
			c.Class = "hm-1"
		case n == 2:
			c.Class = "hm-2"
		default:
			c.Class = "hm-3"
		}
		c.Title = i18n.T(lang, "gaps.chart.cell", label, i18n.T(lang, "gaps.profile."+p.ID), g.Here.Services, g.Across.Services)
		if directory.BedNeed(g.Need) {
			c.Title += " " + i18n.T(lang, "gaps.chart.cell_beds", g.Here.BedsFree)
		}
		row.Cells = append(row.Cells, c)
	}
	ch.Rows = append(ch.Rows, row)
}

func (ch *gapChart) done() gapChart {
	ch.Width = len(directory.GapProfiles)*chartCellW + chartRight
	ch.Height = chartHeadH + len(ch.Rows)*(chartLabelH+chartCellH) + 2
	ch.SVG = ch.draw()
	return *ch
}

// The gap report is the heaviest page there is: ten places by seventeen
// needs by six profiles. Its chart and table are written here, with every
// text escaped, rather than by template loops, whose reflection cost 86%
// of the page's time.

// draw writes the chart as inline SVG.
func (ch *gapChart) draw() template.HTML {
	var b htmlWriter
	id := ch.ID
	b.raw(`<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" id="`).text(id).raw(`" role="img" aria-labelledby="`).text(id).raw(`-title `).text(id).
		raw(`-desc" width="`).int(ch.Width).raw(`" height="`).int(ch.Height).raw(`" viewBox="0 0 `).int(ch.Width).raw(" ").int(ch.Height).raw(`">`).
		raw("\n<title id=\"").text(id).raw(`-title">`).text(ch.Title).raw("</title>\n<desc id=\"").text(id).raw(`-desc">`).text(ch.Desc).raw("</desc>\n")
	for _, c := range ch.Cols {
		b.raw(`<text class="hm-col" transform="translate(`).int(c.X).raw(" ").int(c.Y).raw(`) rotate(-40)">`).text(c.Text).raw("</text>")
	}
	for _, r := range ch.Rows {
		b.raw("\n").raw(`<text class="hm-row" x="`).int(r.Label.X).raw(`" y="`).int(r.Label.Y).raw(`">`).text(r.Label.Text).raw("</text>\n")
		for _, c := range r.Cells {
			b.raw("<g><title>").text(c.Title).raw(`</title><rect class="`).text(c.Class).raw(`" x="`).int(c.X).raw(`" y="`).int(c.Y).
				raw(`" width="`).int(ch.RectW).raw(`" height="`).int(ch.RectH).raw(`" rx="3"/><text class="`).text(c.Class).
				raw(`" x="`).int(c.TextX).raw(`" y="`).int(c.TextY).raw(`" text-anchor="middle">`).text(c.Text).raw("</text></g>")
		}
	}
	b.raw("\n</svg>")
	return b.html()
}

// gapTable writes the rows of the gap table, worst gaps first as gaps
// come.
func gapTable(lang string, gaps []directory.Gap) template.HTML {
	tr := i18n.Translator(lang)
	var b htmlWriter
	supply := func(s directory.Supply, beds bool) {
		if !beds || (s.Services == 0 && s.Full == 0) {
			return
		}
		b.raw(`<br><span class="muted">`).text(tr.T("gaps.beds_free", s.BedsFree))
		if s.BedsUnknown != 0 {
			b.raw(" · ").text(tr.T("gaps.beds_unknown", s.BedsUnknown))
		}
		if s.Full != 0 {
			b.raw(" · ").text(tr.T("gaps.full", s.Full))
		}
		b.raw("</span>")
	}
	for i := range gaps {
		g := &gaps[i]
		status, beds := g.Status(), directory.BedNeed(g.Need)
		b.raw(`<tr class="gap-`).text(status).raw(`" id="gap-`).text(g.Place.ID).raw("-").text(g.Need).raw("-").text(g.Profile).raw(`">`).raw("\n<td>")
		if g.Unserved() {
			b.raw(`<span class="badge gap-badge">`).text(tr.T("gaps.status.unserved")).raw(`</span><br><span class="gap-why">`).
				text(tr.T("gaps.status." + status)).raw("</span>")
		} else {
			b.text(tr.T("gaps.status.served"))
		}
		b.raw("</td><td>").text(g.Place.Name).raw("</td><td>").text(tr.T("need." + g.Need)).raw("</td><td>").text(tr.T("gaps.profile." + g.Profile)).
			raw("</td>\n<td><strong>").int(g.Here.Services).raw("</strong>")
		supply(g.Here, beds)
		b.raw("</td><td>").int(g.Across.Services)
		supply(g.Across, beds)
		b.raw("</td></tr>\n")
	}
	return b.html()
}

// htmlWriter builds HTML from trusted markup (raw) and escaped text.
type htmlWriter struct{ strings.Builder }

func (w *htmlWriter) raw(s string) *htmlWriter { w.WriteString(s); return w }

func (w *htmlWriter) text(s string) *htmlWriter {
	template.HTMLEscape(&w.Builder, []byte(s))
	return w
}

func (w *htmlWriter) int(n int) *htmlWriter {
	var buf [20]byte
	w.Write(strconv.AppendInt(buf[:0], int64(n), 10))
	return w
}

// html returns what was written, as markup that needs no more escaping.
func (w *htmlWriter) html() template.HTML {
	return template.HTML(w.String()) // every text in it went through text
}
