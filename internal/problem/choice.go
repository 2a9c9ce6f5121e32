package problem

import (
	"slices"
	"strings"
)

// OneOf checks a single choice from a vocabulary. An empty value takes
// def; when def is empty too, the field is required.
func (f *Fields) OneOf(field string, v *string, choices []string, def string) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		*v = def
	}
	switch {
	case *v == "":
		f.Add(field, "field.required")
	case !slices.Contains(choices, *v):
		f.Add(field, "field.choose_one")
	}
}

// SomeOf checks a multiple choice from a vocabulary and returns it without
// repeats, in the vocabulary's order. Any value outside the vocabulary is
// reported once.
func (f *Fields) SomeOf(field string, vs, choices []string) []string {
	out := []string{}
	for _, c := range choices {
		if slices.Contains(vs, c) {
			out = append(out, c)
		}
	}
	for _, v := range vs {
		if !slices.Contains(choices, v) {
			f.Add(field, "field.choose_one")
			break
		}
	}
	return out
}
