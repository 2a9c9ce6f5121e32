package problem

import (
	"errors"
	"slices"
	"testing"
)

func TestChoices(t *testing.T) {
	var f Fields
	v, empty, bad := " b ", "", "z"
	f.OneOf("v", &v, []string{"a", "b"}, "a")
	f.OneOf("empty", &empty, []string{"a", "b"}, "a")
	var required string
	f.OneOf("required", &required, []string{"a"}, "")
	f.OneOf("bad", &bad, []string{"a"}, "a")
	got := f.SomeOf("some", []string{"c", "a", "c", "x"}, []string{"a", "b", "c"})
	if v != "b" || empty != "a" || !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("values: %q %q %v", v, empty, got)
	}
	want := Fields{{"required", "field.required"}, {"bad", "field.choose_one"}, {"some", "field.choose_one"}}
	if !slices.Equal(f, want) {
		t.Errorf("fields %v, want %v", f, want)
	}
}

func TestKinds(t *testing.T) {
	err := Wrap(NotFound, "error.not_found", errors.New("no rows"))
	if KindOf(err) != NotFound || !Is(err, NotFound) || KindOf(errors.New("x")) != Internal {
		t.Error("KindOf")
	}
	if As(errors.New("x")).Key != "error.internal" {
		t.Error("As of a plain error is not internal")
	}
	if (Fields{}).Err() != nil {
		t.Error("no fields is not an error")
	}
}
