package glossary

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// hit is a Finding without offsets; checkOffsets tests those separately.
type hit struct{ Match, TermID, Severity, MessageKey string }

const (
	word   = KeySmugglingWord
	label  = KeySmugglingLabel
	asTr   = KeySmugglingAsTrafficking
	withEx = KeySmugglingWithExploitation
	note   = SeverityNote
	warn   = SeverityWarning
)

var scanTests = []struct {
	name string
	text string
	want []hit
}{
	// Smuggling words used for trafficking.
	{"victima de trafico", "Sra. refiere que fue víctima de tráfico en Reynosa.", []hit{{"víctima de tráfico", "smuggling", warn, asTr}}},
	{"trafico sexual", "Posible caso de tráfico sexual, la tenían en un bar de Piedras Negras.", []hit{{"tráfico sexual", "smuggling", warn, asTr}}},
	{"trafico laboral in capitals", "TRÁFICO LABORAL en rancho de Chihuahua, 12 trabajadores", []hit{{"TRÁFICO LABORAL", "smuggling", warn, asTr}}},
	{"trafico de menores", "Red de tráfico de menores detectada en Nogales por DIF.", []hit{{"tráfico de menores", "smuggling", warn, asTr}}},
	{"trafico de ninos without accents", "Caso de TRAFICO DE NIÑOS en Matamoros", []hit{{"TRAFICO DE NIÑOS", "smuggling", warn, asTr}}},
	{"con fines right after", "Posible tráfico con fines de explotación en Ojinaga.", []hit{{"tráfico con fines de explotación", "smuggling", warn, asTr}}},
	{"con fines de lucro is smuggling", "Tráfico de personas con fines de lucro, la dejaron en Phoenix.", []hit{{"Tráfico", "smuggling", note, word}}},
	{"trafico de mujeres", "Hablan de tráfico de mujeres centroamericanas en la colonia.", []hit{{"tráfico de mujeres", "smuggling", warn, asTr}}},
	{"con fines de explotacion", "Se sospecha tráfico de personas con fines de explotación sexual.", []hit{{"tráfico de personas con fines de explotación", "smuggling", warn, asTr}}},
	{"traficaron con fines", "la traficaron con fines de prostitución a Monterrey", []hit{{"traficaron con fines de prostitución", "smuggling", warn, asTr}}},
	{"traficantes sexuales", "Los traficantes sexuales la movían entre Juárez y El Paso.", []hit{{"traficantes sexuales", "smuggler", warn, asTr}}},
	{"sex smuggling", "Client says she was a victim of sex smuggling in Houston.", []hit{{"sex smuggling", "smuggling", warn, asTr}}},
	{"smuggled for labor", "He was smuggled for labor to a dairy outside Las Cruces.", []hit{{"smuggled for labor", "smuggling", warn, asTr}}},
	// Smuggling words next to signs of exploitation.
	{"coyote obligo", "El coyote lo obligó a trabajar en la casa de seguridad para pagar el cruce.", []hit{{"coyote", "coyote", warn, withEx}}},
	{"pollero no la dejaban salir", "Pagó al pollero pero al llegar a Houston no la dejaban salir del depa.", []hit{{"pollero", "pollero", warn, withEx}}},
	{"coyote made to work", "The coyote kept her passport and she was made to work at the restaurant to pay off the debt.", []hit{{"coyote", "coyote", warn, withEx}}},
	{"smugglers locked in", "Smugglers locked them in a trailer in Laredo for 2 weeks.", []hit{{"Smugglers", "smuggler", warn, withEx}}},
	{"traficante sin pago same sentence", "Vino con un traficante, dice que trabajaba sin pago en una maquila.", []hit{{"traficante", "smuggler", warn, withEx}}},
	{"label with debt", "Tráfico ilícito de migrantes y después una deuda con el patrón que nunca baja.", []hit{{"Tráfico ilícito de migrantes", "smuggling", warn, withEx}}},
	{"pasador papers taken", "El pasador le quitaron los papeles, no, el patrón; no tiene ID.", []hit{{"pasador", "pasador", warn, withEx}}},
	// Correct or possibly correct uses: a reminder only.
	{"paid a coyote", "Pagó a un coyote para cruzar por Altar.", []hit{{"coyote", "coyote", note, word}}},
	{"cruzo con pollero", "Cruzó con pollero en 2019, $8,000 USD, sin problemas al llegar.", []hit{{"pollero", "pollero", note, word}}},
	{"pasador", "El pasador los dejó del otro lado del río.", []hit{{"pasador", "pasador", note, word}}},
	{"trafico de personas paid crossing", "Dice que fue tráfico de personas, pagó 6 mil dólares y su tío la recogió en Phoenix.", []hit{{"tráfico", "smuggling", note, word}}},
	{"cue in another sentence", "Vino con un traficante; dice que trabajaba sin pago en una maquila.", []hit{{"traficante", "smuggler", note, word}}},
	{"smuggler paid", "Crossed with a smuggler near Sasabe, paid $7,000.", []hit{{"smuggler", "smuggler", note, word}}},
	{"smuggled across", "He was smuggled across near Sunland Park and released at the bus station.", []hit{{"smuggled", "smuggling", note, word}}},
	{"unaccented trafico", "pago trafico 5mil a guatemala", []hit{{"trafico", "smuggling", note, word}}},
	// Correct names for smuggling.
	{"trafico ilicito de migrantes", "Se trata de tráfico ilícito de migrantes: pagó el cruce y se fue con su familia.", []hit{{"tráfico ilícito de migrantes", "smuggling", note, label}}},
	{"trafico de migrantes", "Es tráfico de migrantes, no trata.", []hit{{"tráfico de migrantes", "smuggling", note, label}}},
	{"human smuggling", "Charged federally with human smuggling (8 U.S.C. 1324).", []hit{{"human smuggling", "smuggling", note, label}}},
	{"alien smuggling", "HSI opened an alien smuggling case in Del Rio.", []hit{{"alien smuggling", "smuggling", note, label}}},
	// Nothing to say.
	{"trata de personas", "Refiere trata de personas con fines de explotación laboral en Tijuana.", nil},
	{"human trafficking", "Possible human trafficking: employer holds her passport and she is not paid.", nil},
	{"trafficker", "The trafficker (tratante) recruited her in Tapachula with a false job offer.", nil},
	{"trafico vehicular", "Llegó tarde por el tráfico vehicular en el puente internacional.", nil},
	{"mucho trafico", "Había mucho tráfico en la garita de Otay.", nil},
	{"trafico de drogas", "Detenido por tráfico de drogas en 2015, no relacionado.", nil},
	{"english traffic", "Stuck in traffic at the Bridge of the Americas for 3 hours; traffic jam again.", nil},
	{"whole words only", "Los narcotraficantes controlan la plaza; ella trabaja en una pollería.", nil},
	{"empty", "", nil},
	// Multibyte text, repeats and overlaps.
	{"multibyte", "Ñandú: ¿víctima de TRÁFICO? sí — “coyote” cobró 5 000 €", []hit{{"víctima de TRÁFICO", "smuggling", warn, asTr}, {"coyote", "coyote", note, word}}},
	{"decomposed accents", "fue vi\u0301ctima de tra\u0301fico", []hit{{"vi\u0301ctima de tra\u0301fico", "smuggling", warn, asTr}}},
	{"emoji", "😢 pagó al coyote 💵", []hit{{"coyote", "coyote", note, word}}},
	{"invalid utf-8", "coyote\xff\xfetráfico", []hit{{"coyote", "coyote", note, word}, {"tráfico", "smuggling", note, word}}},
	{"repeated", "Coyote, coyote, COYOTES.", []hit{{"Coyote", "coyote", note, word}, {"coyote", "coyote", note, word}, {"COYOTES", "coyote", note, word}}},
	{"overlap is one finding", "tráfico de traficantes con fines de explotación", []hit{{"tráfico de traficantes con fines de explotación", "smuggling", warn, asTr}}},
	{"phrase does not reach back", "smuggling of people smuggling", []hit{{"smuggling of people", "smuggling", note, label}, {"smuggling", "smuggling", note, label}}},
}

func TestScan(t *testing.T) {
	for _, tt := range scanTests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Scan(tt.text)
			var got []hit
			for _, f := range fs {
				got = append(got, hit{f.Match, f.TermID, f.Severity, f.MessageKey})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Scan(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
			checkOffsets(t, tt.text, fs)
		})
	}
}

// checkOffsets checks the properties every result of Scan has: spans in
// order, not overlapping, on rune boundaries, equal to Match, and every
// key and term known.
func checkOffsets(t *testing.T, text string, fs []Finding) {
	t.Helper()
	prevEnd := 0
	for _, f := range fs {
		if f.Start < prevEnd || f.End <= f.Start || f.End > len(text) {
			t.Fatalf("finding %+v: bad span after %d in text of %d bytes", f, prevEnd, len(text))
		}
		if got := text[f.Start:f.End]; got != f.Match {
			t.Errorf("text[%d:%d] = %q, but Match = %q", f.Start, f.End, got, f.Match)
		}
		if utf8.ValidString(text) && (!utf8.RuneStart(text[f.Start]) || (f.End < len(text) && !utf8.RuneStart(text[f.End]))) {
			t.Errorf("finding %+v splits a character", f)
		}
		if !strings.Contains(strings.Join(MessageKeys(), " "), f.MessageKey) || (f.Severity != SeverityNote && f.Severity != SeverityWarning) {
			t.Errorf("finding %+v: unknown key or severity", f)
		}
		if _, ok := Lookup(f.TermID); !ok {
			t.Errorf("finding %+v: no glossary term %q", f, f.TermID)
		}
		prevEnd = f.End
	}
}

func TestScanOffsetsPointIntoTheOriginal(t *testing.T) {
	text := "Ñ TRÁFICO SEXUAL ñ"
	got := Scan(text)
	want := []Finding{{TermID: "smuggling", Match: "TRÁFICO SEXUAL", Start: 3, End: 18, Severity: warn, MessageKey: asTr}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Scan(%q) mismatch (-want +got):\n%s", text, diff)
	}
}

func TestScanLongText(t *testing.T) {
	sentence := "Pagó al coyote en Agua Prieta y llegó bien. "
	text := strings.Repeat(sentence, 5000) + "Al final fue víctima de tráfico."
	fs := Scan(text)
	if got, want := len(fs), 5001; got != want {
		t.Fatalf("len(Scan) = %d, want %d", got, want)
	}
	last := fs[len(fs)-1]
	if got, want := last.Start, 5000*len(sentence)+len("Al final fue "); got != want || last.MessageKey != asTr {
		t.Errorf("last finding = %+v, want start %d and key %s", last, want, asTr)
	}
	checkOffsets(t, text, fs)
}

// TestEveryAnchorHasATerm keeps the guard and the glossary in step.
func TestEveryAnchorHasATerm(t *testing.T) {
	ids := []string{anchorTerm("smuggler"), anchorTerm("smuggling")}
	for _, id := range anchors {
		ids = append(ids, id)
	}
	for _, id := range ids {
		if _, ok := Lookup(id); !ok {
			t.Errorf("the guard reports term %q, which the glossary lacks", id)
		}
	}
}

func FuzzScan(f *testing.F) {
	for _, tt := range scanTests {
		f.Add(tt.text)
	}
	f.Add("tra\u0301\u0301fico\u0301 víctima de\n tráfico")
	f.Fuzz(func(t *testing.T, text string) {
		checkOffsets(t, text, Scan(text))
	})
}

// note2KB is a realistic case note of about 2 KB with a few findings.
var note2KB = twoKB(`Entrevista en albergue de Ciudad Juárez. La Sra. M. (31, Honduras) cruzó en marzo con un pollero que le cobró 7,000 dólares; su hermano pagó la mitad en Houston. ` +
	`Dice que en la casa de seguridad de El Paso la tuvieron 9 días y no la dejaban salir hasta que la familia pagara el resto. ` +
	`Después trabajó en un restaurante en Dallas, 12 horas diarias, y el encargado le guardaba el pasaporte. ` +
	`She reports no pay for the first two months; employer said she owed a debt for the ride. No injuries reported. `)

func twoKB(s string) string {
	s = strings.Repeat(s, 5)
	return s[:strings.LastIndexByte(s[:2048], ' ')]
}

func BenchmarkScan(b *testing.B) {
	b.SetBytes(int64(len(note2KB)))
	for b.Loop() {
		Scan(note2KB)
	}
}
