package screening

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestILOCombinationRule(t *testing.T) {
	tests := []struct {
		strong, medium, weak int
		want                 bool
	}{
		{0, 0, 0, false},
		{1, 0, 0, false},
		{2, 0, 0, true},
		{1, 1, 0, true},
		{1, 0, 1, true},
		{0, 2, 0, false},
		{0, 3, 0, true},
		{0, 2, 1, true},
		{0, 1, 2, false},
		{0, 0, 5, false},
	}
	for _, tt := range tests {
		if got := positive(tt.strong, tt.medium, tt.weak); got != tt.want {
			t.Errorf("positive(%d strong, %d medium, %d weak) = %v, want %v", tt.strong, tt.medium, tt.weak, got, tt.want)
		}
	}
}

func dimension(t *testing.T, r Result, name string) Dimension {
	t.Helper()
	for _, d := range r.Evidence {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no %s dimension", name)
	return Dimension{}
}

func TestEvidenceUsesChildRatingsForMinors(t *testing.T) {
	// CR02 and CR03 are medium for adults and strong for children.
	spec := "CR02=yes CR03=yes CR01=no"
	adult := evaluate(t, Input{Answers: answers(t, "CTX01=no "+spec)}, US)
	child := evaluate(t, Input{Answers: answers(t, "CTX01=yes "+spec)}, US)
	want := Dimension{Name: DimCoerciveRecruitment, Positive: false, Indicators: []string{"CR02", "CR03"}}
	if diff := cmp.Diff(want, dimension(t, adult, DimCoerciveRecruitment)); diff != "" {
		t.Errorf("adult (-want +got):\n%s", diff)
	}
	want.Positive = true
	if diff := cmp.Diff(want, dimension(t, child, DimCoerciveRecruitment)); diff != "" {
		t.Errorf("child (-want +got):\n%s", diff)
	}
}

func TestEvidenceCountsOnlyYes(t *testing.T) {
	r := evaluate(t, Input{Answers: answers(t, "CTX01=no CD01=yes CD02=unknown CD03=declined CD04=no CD05=yes")}, US)
	want := Dimension{Name: DimCoercionDestination, Positive: true, Indicators: []string{"CD01", "CD05"}}
	if diff := cmp.Diff(want, dimension(t, r, DimCoercionDestination)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(r.Evidence) != 6 {
		t.Errorf("got %d dimensions, want 6", len(r.Evidence))
	}
	for _, d := range r.Evidence {
		if d.Name != DimCoercionDestination && (d.Positive || len(d.Indicators) != 0) {
			t.Errorf("%s: got %+v, want empty", d.Name, d)
		}
	}
}
