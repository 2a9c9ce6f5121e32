// Package text holds the rules every free-text field in Puente follows:
// valid UTF-8 in Unicode normal form C, no control characters, no markup,
// trimmed, and within a length limit counted in characters.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Translation keys for the reasons a text field is refused.
const (
	KeyRequired = "field.required"
	KeyTooLong  = "field.too_long"
	KeyEncoding = "field.bad_encoding"
	KeyControl  = "field.control_chars"
	KeyMarkup   = "field.markup"
)

// Clean normalizes s and checks it against the rules for a single-line field
// of at most max characters. It returns the cleaned value, or the
// translation key of the first rule s breaks. An empty value is allowed here;
// whether a field is required is the caller's decision.
//
// Markup is refused rather than escaped on the way in: pages escape
// everything anyway, but a name like "<b>Casa</b>" would also travel into
// exports, CSV files and other partners' systems that may not.
func Clean(s string, max int) (string, string) {
	return clean(s, max, false)
}

// CleanMultiline is Clean for notes and descriptions: newlines and tabs are
// kept, other control characters are refused.
func CleanMultiline(s string, max int) (string, string) {
	return clean(s, max, true)
}

func clean(s string, max int, multiline bool) (string, string) {
	if !utf8.ValidString(s) {
		return "", KeyEncoding
	}
	s = norm.NFC.String(strings.TrimSpace(s))
	if multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\t'):
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return "", KeyControl
		case r == '<' || r == '>':
			return "", KeyMarkup
		}
	}
	if utf8.RuneCountInString(s) > max {
		return "", KeyTooLong
	}
	return s, ""
}
