package screening

import (
	"slices"
	"strings"
)

// labelNames must name every label; a test checks.
var labelNames = map[Label][2]string{
	TraffickingSex:                  {"sex trafficking", "trata de personas con fines de explotación sexual"},
	TraffickingLabor:                {"labor trafficking", "trata de personas con fines de explotación laboral"},
	TraffickingForcedCriminality:    {"trafficking for forced criminal activity", "trata de personas para actividades delictivas"},
	TraffickingForcedBegging:        {"trafficking for forced begging", "trata de personas para mendicidad forzosa"},
	TraffickingOther:                {"trafficking for another form of exploitation", "trata de personas con otro fin de explotación"},
	SmugglingOnly:                   {"smuggling of migrants, not trafficking", "tráfico ilícito de migrantes, no trata de personas"},
	LaborExploitationNotTrafficking: {"labor exploitation, not trafficking", "explotación laboral, no trata de personas"},
	NotTraffickingOtherCrime:        {"not trafficking", "no es trata de personas"},
	InsufficientInformation:         {"not enough information to decide", "información insuficiente para decidir"},
}

var lawNames = map[Jurisdiction][2]string{
	US: {"United States", "Estados Unidos"},
	MX: {"Mexico", "México"},
	UN: {"UN Protocols", "Protocolos de la ONU"},
}

// elementNames are in the order of Result.Elements: act, means, purpose, age.
var elementNames = [4][2]string{{"Act", "Acción"}, {"Means", "Medios"}, {"Purpose", "Fin"}, {"Age", "Edad"}}

// statusWord names an element's status. "Medios" is plural in Spanish, and
// the age element reads as under 18 or not.
func statusWord(name, status string, lang int) string {
	var w [2]string
	switch {
	case name == ElementAge && status == StatusPresent:
		w = [2]string{"under 18", "menor de 18 años"}
	case name == ElementAge && status == StatusAbsent:
		w = [2]string{"18 or older", "18 años o más"}
	case status == StatusPresent:
		w = [2]string{"found", "presente"}
	case status == StatusAbsent:
		w = [2]string{"not found", "no se encontró"}
	case status == StatusUnknown:
		w = [2]string{"unknown", "se desconoce"}
	default:
		w = [2]string{"not required", "no se requiere"}
	}
	if name == ElementMeans && lang == 1 {
		return meansPlural[w[1]]
	}
	return w[lang]
}

var meansPlural = map[string]string{
	"presente":       "presentes",
	"no se encontró": "no se encontraron",
	"se desconoce":   "se desconocen",
	"no se requiere": "no se requieren",
}

// citations is the statute for the route, with the specific provisions the
// answers point to.
func (p *Protocol) citations(f *facts, j Jurisdiction, jd judgment) []string {
	g := &p.groups
	out := slices.Clone(jd.r.reason(j).cite)
	has := func(grp group) bool { return f.s.pres&g[grp] != 0 }
	switch jd.r {
	case rUSLaborForce, rUSCrim, rUSBeg:
		if has(gLegalProcess) {
			out = append(out, "18 U.S.C. 1589(a)(3)")
		}
		if has(gDocuments) {
			out = append(out, "18 U.S.C. 1592")
		}
		if has(gDebt) {
			out = append(out, "18 U.S.C. 1581")
		}
	case rUSOtherForm:
		if f.organs.yes() {
			out = append(out, "42 U.S.C. 274e")
		}
	case rMXLaborForced:
		if has(gDebt) {
			out = append(out, "LGPSEDMTP art. 10 fr. II", "LGPSEDMTP art. 12")
		}
	case rUNNotTrafficking:
		if f.minor.yes() && f.sex.yes() {
			out = append(out, "Optional Protocol to the CRC on the sale of children art. 2(b)")
		}
	}
	if j == UN && jd.label.Trafficking() {
		if f.minor.yes() {
			out = append(out, citePalermo3cd)
		} else {
			out = append(out, citePalermo3b)
		}
	}
	return dedupe(out)
}

func dedupe(ss []string) []string {
	out := ss[:0]
	for i, s := range ss {
		if !slices.Contains(ss[:i], s) {
			out = append(out, s)
		}
	}
	return out
}

// explain writes the determination in English and Spanish: the law and the
// label, the reasoning, the elements with their indicators, the questions
// still open, and the statute. Both texts are built in one buffer, as this
// is most of an evaluation's work.
func explain(f *facts, j Jurisdiction, jd judgment, elems []Element, cites, missing []string) (en, es string) {
	var w strings.Builder
	w.Grow(1280) // most pairs of explanations fit; a long list of questions grows it once
	rsn := jd.r.reason(j)
	reasoning := [2]string{rsn.en, rsn.es}
	if j == UN && jd.label.Trafficking() {
		reasoning = unReasoning(f, rsn)
	}
	var split int
	for lang := range 2 {
		if lang == 1 {
			split = w.Len()
		}
		w.WriteString(lawNames[j][lang])
		w.WriteString(": ")
		w.WriteString(labelNames[jd.label][lang])
		w.WriteString(". ")
		w.WriteString(reasoning[lang])
		for i, e := range elems {
			w.WriteString(" ")
			writeElement(&w, i, e, lang)
		}
		if len(missing) > 0 {
			lead := [2]string{" Questions that could still change this: ", " Preguntas que aún podrían cambiarlo: "}
			if jd.label == InsufficientInformation {
				lead = [2]string{" Questions that would decide: ", " Preguntas que lo decidirían: "}
			}
			w.WriteString(lead[lang])
			writeList(&w, missing, ", ")
			w.WriteString(".")
		}
		w.WriteString(" ")
		writeList(&w, cites, "; ")
		w.WriteString(".")
	}
	all := w.String()
	return all[:split], all[split:]
}

func writeList(w *strings.Builder, items []string, sep string) {
	for i, s := range items {
		if i > 0 {
			w.WriteString(sep)
		}
		w.WriteString(s)
	}
}

func writeElement(w *strings.Builder, i int, e Element, lang int) {
	w.WriteString(elementNames[i][lang])
	w.WriteString(": ")
	w.WriteString(statusWord(e.Name, e.Status, lang))
	if len(e.Indicators) > 0 {
		w.WriteString(" (")
		writeList(w, e.Indicators, ", ")
		w.WriteString(")")
	}
	w.WriteString(".")
}

// unReasoning states the Palermo elements for a trafficking finding: act,
// means and purpose, or act and purpose for a child.
func unReasoning(f *facts, rsn reason) [2]string {
	if f.minor.yes() {
		return [2]string{
			"An act (recruitment, transport, transfer, harbouring or receipt) for the purpose of " + rsn.en + ", and the person was a child, so no means are needed.",
			"Una acción (captación, transporte, traslado, acogida o recepción) con fines de " + rsn.es + ", y la persona era menor de 18 años, así que no se exigen medios.",
		}
	}
	return [2]string{
		"An act (recruitment, transport, transfer, harbouring or receipt) and a means, for the purpose of " + rsn.en + "; consent is irrelevant once a means is used.",
		"Una acción (captación, transporte, traslado, acogida o recepción) y un medio, con fines de " + rsn.es + "; el consentimiento no cuenta una vez que se usa un medio.",
	}
}
