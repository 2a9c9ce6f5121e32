package text

import "testing"

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want, key string
		max                 int
	}{
		{name: "trimmed", in: "  Casa del Migrante ", want: "Casa del Migrante", max: 40},
		{name: "accents kept and composed", in: "Jose\u0301 A\u0301ngel", want: "José Ángel", max: 40},
		{name: "sql metacharacters are plain text", in: "O'Brien; DROP TABLE users;--", want: "O'Brien; DROP TABLE users;--", max: 40},
		{name: "markup refused", in: "<script>alert(1)</script>", key: KeyMarkup, max: 40},
		{name: "control character refused", in: "a\x00b", key: KeyControl, max: 40},
		{name: "newline refused in one line", in: "a\nb", key: KeyControl, max: 40},
		{name: "invalid utf-8", in: "a\xffb", key: KeyEncoding, max: 40},
		{name: "length counts characters", in: "ñññ", want: "ñññ", max: 3},
		{name: "too long", in: "abcd", key: KeyTooLong, max: 3},
		{name: "empty is allowed", in: "   ", want: "", max: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, key := Clean(tt.in, tt.max)
			if got != tt.want || key != tt.key {
				t.Errorf("Clean(%q) = %q, %q; want %q, %q", tt.in, got, key, tt.want, tt.key)
			}
		})
	}
}

func TestCleanMultiline(t *testing.T) {
	got, key := CleanMultiline("line one\r\n\tline two", 100)
	if key != "" || got != "line one\n\tline two" {
		t.Errorf("CleanMultiline = %q, %q", got, key)
	}
	if _, key := CleanMultiline("bell\a", 100); key != KeyControl {
		t.Errorf("CleanMultiline(bell) key = %q, want %q", key, KeyControl)
	}
}
