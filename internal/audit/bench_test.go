package audit

import "testing"

// BenchmarkChain hashes one entry, as every audited request does.
func BenchmarkChain(b *testing.B) {
	e := entry(1)
	b.ReportAllocs()
	for b.Loop() {
		e.Chain(Genesis, testKey)
	}
}

// BenchmarkVerify verifies a 10,000-entry log and reports the time per
// entry, which sets how long `puente audit verify` takes on a real log.
func BenchmarkVerify(b *testing.B) {
	es := chain(10_000)
	b.ReportAllocs()
	runs := 0
	for b.Loop() {
		r, err := verify(all(es))
		if err != nil || !r.OK() {
			b.Fatalf("Verify = %v, %v", r, err)
		}
		runs++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*len(es)), "ns/entry")
}
