package screening

import "testing"

// benchInput is a full interview (shared vignette P04: recruitment by fraud,
// confiscated papers, armed watch, threats of deportation).
var benchInput = Input{ID: "bench", Age: age(38), Answers: Answers{
	"ACT01": Yes, "ACT02": Yes, "DR01": Yes, "DR02": Yes, "DR05": Yes, "DR08": Yes, "CR04": Yes,
	"CD01": Yes, "CD02": Yes, "CD03": Yes, "CD05": Yes, "CD07": Yes, "EX01": Yes, "EX02": Yes,
	"EX03": Yes, "EX05": Yes, "VD01": Yes, "VD02": Yes, "VD03": Yes, "VR02": Yes, "PU08": Yes,
	"CTX01": No, "FL01": No, "FL02": No, "PU01": Unknown, "SM01": Declined,
}}

func BenchmarkEvaluate(b *testing.B) {
	p := Load()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Evaluate(benchInput, MX); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}

// BenchmarkEvaluateAll counts one eval per input, each judged under all
// three laws; judgments/s counts the laws.
func BenchmarkEvaluateAll(b *testing.B) {
	p := Load()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.EvaluateAll(benchInput); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(b.N*len(Jurisdictions))/b.Elapsed().Seconds(), "judgments/s")
}
