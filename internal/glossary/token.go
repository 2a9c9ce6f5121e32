package glossary

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// token is one word of a text: its byte span in the original text, its
// folded form (lower case, accents removed) and the sentence it is in.
//
// Folding happens per rune rather than over the whole string, as
// casework's name folding does, because Scan must report offsets into the
// text the caseworker wrote: "TRÁFICO" and "trafico" differ in length.
type token struct {
	start, end int
	word       string
	sentence   int
}

// tokenize splits text into words. A word is a run of letters, digits and
// combining marks, so "tra\u0301fico" (decomposed) is one word and folds
// like "tráfico". Sentences end at . ! ? ; … and line breaks; a full stop
// ends one only before white space or the end, so "3.5" and the inner stops
// of "U.S.C." do not (but "Sra. López" does: a missed warning, not a false one).
func tokenize(text string) []token {
	toks := make([]token, 0, len(text)/6+1) // about one word per six bytes
	var b strings.Builder
	start, sentence := -1, 0
	changed := false
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := text[start:end]
		if changed {
			w = b.String()
		}
		toks = append(toks, token{start: start, end: end, word: w, sentence: sentence})
		start, changed = -1, false
		b.Reset()
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if inWord(r) {
			if start < 0 {
				start = i
			}
			f, keep := foldRune(r)
			if !changed && (!keep || f != r) {
				changed = true
				b.WriteString(text[start:i])
			}
			if changed && keep {
				b.WriteRune(f)
			}
			i += size
			continue
		}
		flush(i)
		if endsSentence(text, i, r, size) {
			sentence++
		}
		i += size
	}
	flush(len(text))
	return toks
}

func inWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func endsSentence(text string, i int, r rune, size int) bool {
	switch r {
	case '!', '?', ';', '…', '\n':
		return true
	case '.':
		next := i + size
		return next == len(text) || text[next] == ' ' || text[next] == '\n' || text[next] == '\t' || text[next] == '\r'
	}
	return false
}

// foldRune lowers r and strips its accent; keep is false for a combining
// mark, which folding drops.
func foldRune(r rune) (f rune, keep bool) {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r, true
	}
	if unicode.Is(unicode.Mn, r) {
		return 0, false
	}
	r = unicode.ToLower(r)
	if f, ok := latin[r]; ok {
		return f, true
	}
	return r, true
}

// latin maps each accented Latin letter (À–ɏ) to its ASCII base letter,
// derived from Unicode decomposition rather than typed by hand.
var latin = func() map[rune]rune {
	m := map[rune]rune{}
	for r := rune(0xC0); r <= 0x24F; r++ {
		d := norm.NFD.String(string(r))
		base, size := utf8.DecodeRuneInString(d)
		if size < len(d) && base < utf8.RuneSelf {
			m[r] = unicode.ToLower(base)
		}
	}
	return m
}()
