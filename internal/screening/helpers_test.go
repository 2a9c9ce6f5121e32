package screening

import (
	"strings"
	"testing"
)

// answers parses "PU01=yes ACT01=no" into Answers.
func answers(t testing.TB, spec string) Answers {
	t.Helper()
	a := Answers{}
	for _, f := range strings.Fields(spec) {
		id, v, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("bad answer spec %q", f)
		}
		a[id] = Answer(v)
	}
	return a
}

func age(n int) *int { return &n }

// evaluate runs one jurisdiction and fails the test on an error.
func evaluate(t testing.TB, in Input, j Jurisdiction) Result {
	t.Helper()
	r, err := Load().Evaluate(in, j)
	if err != nil {
		t.Fatalf("Evaluate(%s): %v", j, err)
	}
	return r
}
