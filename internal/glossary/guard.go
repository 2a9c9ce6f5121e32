package glossary

import (
	"slices"
	"strings"
)

// Severities of a Finding.
const (
	SeverityNote    = "note"    // a smuggling word, perhaps used correctly
	SeverityWarning = "warning" // a smuggling word used as if it meant trafficking
)

// Message keys of a Finding, each in the i18n catalogs (glossary.*.json).
const (
	// KeySmugglingWord: a smuggling word; correct if a paid crossing is meant.
	KeySmugglingWord = "guard.smuggling_word"
	// KeySmugglingLabel: the correct name for smuggling, "tráfico ilícito
	// de migrantes" or "human smuggling"; a reminder that it can turn into
	// trafficking.
	KeySmugglingLabel = "guard.smuggling_label"
	// KeySmugglingAsTrafficking: a phrase that names exploitation with a
	// smuggling word, such as "víctima de tráfico" or "sex smuggling".
	KeySmugglingAsTrafficking = "guard.smuggling_as_trafficking"
	// KeySmugglingWithExploitation: a smuggling word in the same sentence
	// as signs of exploitation.
	KeySmugglingWithExploitation = "guard.smuggling_with_exploitation"
)

// MessageKeys returns every key Scan can put in a Finding.
func MessageKeys() []string {
	return []string{KeySmugglingWord, KeySmugglingLabel, KeySmugglingAsTrafficking, KeySmugglingWithExploitation}
}

// Finding is one place in a text where a smuggling word needs checking.
// Start and End are byte offsets into the text given to Scan, so
// text[Start:End] == Match.
type Finding struct {
	TermID     string `json:"term_id"` // the glossary term that explains the word
	Match      string `json:"match"`
	Start      int    `json:"start"`
	End        int    `json:"end"`
	Severity   string `json:"severity"` // SeverityNote or SeverityWarning
	MessageKey string `json:"message_key"`
}

// Scan finds the smuggling words in text, in English or Spanish, ignoring
// case and accents, and says for each whether it reads as if it meant
// trafficking. Findings are in text order and never overlap. Correct
// trafficking words ("trata", "human trafficking") and English "traffic"
// are not findings at all.
func Scan(text string) []Finding {
	toks := tokenize(text)
	var cue []bool // computed at the first smuggling word; most notes have none
	var out []Finding
	prevEnd := 0
	for i, t := range toks {
		id := anchorTerm(t.word)
		if id == "" || t.start < prevEnd || except(toks, i) {
			continue
		}
		f := Finding{TermID: id, Severity: SeverityNote, MessageKey: KeySmugglingWord}
		first, last := i, i
		if lo, hi, ok := phrase(toks, i, asTrafficking); ok {
			first, last = lo, hi
			f.Severity, f.MessageKey = SeverityWarning, KeySmugglingAsTrafficking
		} else {
			if lo, hi, ok := phrase(toks, i, labels); ok {
				first, last = lo, hi
				f.MessageKey = KeySmugglingLabel
			}
			if cue == nil {
				cue = exploitationSentences(toks)
			}
			if cue[t.sentence] {
				f.Severity, f.MessageKey = SeverityWarning, KeySmugglingWithExploitation
			}
		}
		f.Start, f.End = toks[first].start, toks[last].end
		if f.Start < prevEnd {
			f.Start = t.start // a phrase must not reach back into the previous finding
		}
		f.Match = text[f.Start:f.End]
		out = append(out, f)
		prevEnd = f.End
	}
	return out
}

// anchorTerm returns the glossary term for a smuggling word, or "".
// English "traffic" and "trafficking" are not smuggling words; in English
// only "smuggl…" and "coyote" are.
func anchorTerm(w string) string {
	switch {
	case strings.HasPrefix(w, "smuggler"):
		return "smuggler"
	case strings.HasPrefix(w, "smuggl"):
		return "smuggling"
	}
	return anchors[w]
}

var anchors = func() map[string]string {
	m := map[string]string{}
	add := func(id, words string) {
		for w := range strings.FieldsSeq(words) {
			m[w] = id
		}
	}
	add("smuggling", "trafico traficos traficar trafica trafican traficaba traficaban traficaron traficado traficada traficados traficadas")
	add("smuggler", "traficante traficantes")
	add("coyote", "coyote coyotes")
	add("pollero", "pollero polleros")
	add("pasador", "pasador pasadores")
	return m
}()

// A pattern is a run of words next to a smuggling word: before it (the
// run ends right before the anchor) or after it (the run starts within gap
// words after the anchor). Patterns never cross a sentence boundary.
type pattern struct {
	anchor func(string) bool // the anchor words it applies to
	before bool
	gap    int
	seq    seq
}

func after(anchor func(string) bool, gap int, positions ...string) pattern {
	return pattern{anchor: anchor, gap: gap, seq: seqOf(positions...)}
}

func before(anchor func(string) bool, positions ...string) pattern {
	return pattern{anchor: anchor, before: true, seq: seqOf(positions...)}
}

// seq is a run of words, each position a set of accepted folded words.
type seq []map[string]bool

// seqOf builds a seq from positions written "alt1|alt2|…".
func seqOf(positions ...string) seq {
	s := make(seq, len(positions))
	for i, p := range positions {
		s[i] = set(strings.ReplaceAll(p, "|", " "))
	}
	return s
}

// Anchor classes.
var (
	trafico        = in("trafico traficos")
	traficoOrAgent = in("trafico traficos traficante traficantes")
	traficoAny     = in("trafico traficos traficante traficantes traficado traficada traficados traficadas traficaron traficaban")
	smuggl         = func(w string) bool { return strings.HasPrefix(w, "smuggl") }
)

func in(words string) func(string) bool {
	set := strings.Fields(words)
	return func(w string) bool { return slices.Contains(set, w) }
}

var (
	victimGroups   = "mujeres|mujer|muchachas|ninas|nina|ninos|nino|menores|menor|adolescentes|jovencitas"
	exploitPurpose = "explotacion|explotarla|explotarlas|explotarlo|explotarlos|prostitucion|prostituirla|prostituirlas"
	englishPurpose = "labor|labour|sex|sexual|prostitution|exploitation"
)

// asTrafficking are phrases that use a smuggling word for exploitation.
var asTrafficking = []pattern{
	before(trafico, "victima|victimas", "de|del"),
	after(traficoOrAgent, 0, "sexual|sexuales|laboral|laborales"),
	after(traficoOrAgent, 0, "de|del", victimGroups),
	after(traficoAny, 3, "fines|fin|proposito", "de", exploitPurpose),
	after(traficoAny, 3, "para", exploitPurpose),
	before(smuggl, "sex|sexual|labor|labour"),
	after(smuggl, 2, "for|into", englishPurpose),
}

// labels are the correct names for smuggling.
var labels = []pattern{
	after(trafico, 0, "ilicito", "de", "migrantes|personas"),
	after(trafico, 0, "de", "migrantes"),
	before(smuggl, "human|migrant|alien|people"),
	after(smuggl, 0, "of", "migrants|aliens|people|persons"),
}

// exceptions are uses of "tráfico" that have nothing to do with people:
// traffic on the road, drugs, weapons. They are not findings.
var exceptions = []pattern{
	after(trafico, 0, "vehicular|vial|pesado|aereo"),
	after(trafico, 0, "de", "drogas|droga|armas|estupefacientes|narcoticos|influencias|organos|datos|autos|vehiculos"),
	before(trafico, "mucho|poco|tanto|demasiado|bastante"),
}

func except(toks []token, i int) bool {
	_, _, ok := phrase(toks, i, exceptions)
	return ok
}

// phrase reports the token span of the first pattern that matches around
// the anchor toks[i].
func phrase(toks []token, i int, ps []pattern) (first, last int, ok bool) {
	for _, p := range ps {
		if !p.anchor(toks[i].word) {
			continue
		}
		if p.before {
			if j := i - len(p.seq); j >= 0 && matchAt(toks, j, p.seq, toks[i].sentence) {
				return j, i, true
			}
			continue
		}
		for j := i + 1; j <= i+1+p.gap; j++ {
			if matchAt(toks, j, p.seq, toks[i].sentence) {
				return i, j + len(p.seq) - 1, true
			}
		}
	}
	return 0, 0, false
}

// matchAt reports whether seq matches the tokens from j on, all in sentence.
func matchAt(toks []token, j int, s seq, sentence int) bool {
	if j+len(s) > len(toks) {
		return false
	}
	for k, alts := range s {
		t := toks[j+k]
		if t.sentence != sentence || !alts[t.word] {
			return false
		}
	}
	return true
}
