package glossary

import "strings"

// Signs of exploitation that turn a smuggling word in the same sentence into
// a warning. They are ILO indicators as caseworkers write them: forced work
// or sex, debt, no pay, confinement, papers taken. They are deliberately
// broad: the warning asks for a check, it does not decide anything.
var (
	cueWords = set(`
		obligaron obligo obligaba obligaban obligada obligadas obligado obligados
		forzaron forzaba forzaban forzada forzadas forzado forzados forzosa forzoso
		explotacion explotaban explotaba explotaron explotada explotadas explotado explotados
		prostitucion prostituir prostituirse prostituyeron prostituida prostituidas
		deuda deudas endeudada endeudado endeudados endeudadas
		encerrada encerradas encerrado encerrados encerraron encerraban
		forced exploited exploitation exploiting prostitution prostituted
		debt debts indebted unpaid`)
	cueSeqs = []seq{
		seqOf("sin", "pago|paga|sueldo|salario"),
		seqOf("trabajar", "gratis"),
		seqOf("no", "me|le|les|nos", "pagaban|pagaron|pagaba|pagan"),
		seqOf("no", "lo|la|los|las|le|les|me|nos", "dejaban|dejaron|dejaba|dejan", "salir|irse|ir"),
		seqOf("quitaron|retuvieron|retenian|recogieron|escondieron", "sus|los|el|su|la", "papeles|documentos|pasaporte|pasaportes|identificacion|credencial"),
		seqOf("made", "to|her|him|them", "work"),
		seqOf("locked", "in|up|inside"),
		seqOf("locked", "her|him|them|me|us", "in|up|inside"),
		seqOf("against", "her|his|their|my", "will"),
		seqOf("contra", "su|mi", "voluntad"),
		seqOf("without|no", "pay|wages|salary"),
		seqOf("not|never", "paid"),
		seqOf("could|couldn", "not|t", "leave"),
		seqOf("not", "allowed", "to", "leave"),
		seqOf("took|kept|held|withheld|confiscated", "her|his|their|the", "passport|passports|papers|documents|id"),
	}
)

// cueStarts indexes cueSeqs by their possible first words, so that a token
// costs one map lookup rather than one per sequence.
var cueStarts = func() map[string][]seq {
	m := map[string][]seq{}
	for _, s := range cueSeqs {
		for w := range s[0] {
			m[w] = append(m[w], s)
		}
	}
	return m
}()

func set(words string) map[string]bool {
	m := map[string]bool{}
	for w := range strings.FieldsSeq(words) {
		m[w] = true
	}
	return m
}

// exploitationSentences reports, by sentence number, which sentences hold
// a sign of exploitation.
func exploitationSentences(toks []token) []bool {
	if len(toks) == 0 {
		return nil
	}
	out := make([]bool, toks[len(toks)-1].sentence+1)
	for j, t := range toks {
		if out[t.sentence] {
			continue
		}
		if cueWords[t.word] {
			out[t.sentence] = true
			continue
		}
		for _, s := range cueStarts[t.word] {
			if matchAt(toks, j, s, t.sentence) {
				out[t.sentence] = true
				break
			}
		}
	}
	return out
}
