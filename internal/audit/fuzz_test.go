package audit

import (
	"cmp"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// tamper applies the operations ops describes, three bytes each (what, a,
// b), to es, as someone with raw write access to the table could. It
// reports whether any of them recomputed a hash, which can make a change
// undetectable without a checkpoint.
func tamper(es []Entry, ops []byte) (_ []Entry, rehashed bool) {
	// A few dozen operations reach every case; thousands only make each
	// run slow, as every one of them copies the log.
	ops = ops[:min(len(ops), 3*64)]
	for ; len(ops) >= 3 && len(es) > 0; ops = ops[3:] {
		i, j, b := int(ops[1])%len(es), int(ops[2])%len(es), ops[2]
		e := &es[i]
		switch ops[0] % 12 {
		case 0:
			es = slices.Delete(es, i, i+1)
		case 1:
			es[i], es[j] = es[j], es[i]
		case 2:
			e.Seq = int64(int8(b))
		case 3:
			e.Seq = []int64{math.MaxInt64, math.MinInt64, math.MaxInt64 - 1}[b%3]
		case 4:
			e.Hash = slices.Clone(e.Hash[:int(b)%(len(e.Hash)+1)])
		case 5:
			e.Hash = slices.Clone(e.Hash)
			if len(e.Hash) > 0 {
				e.Hash[int(b)%len(e.Hash)] ^= 1 << (b % 8)
			}
		case 6:
			e.Prev = slices.Clone(e.Prev[:int(b)%(len(e.Prev)+1)])
		case 7:
			e.Action = string(rune(b))
		case 8:
			es = slices.Insert(es, i, *e)
		case 9:
			e.Reason += "x"
			e.Chain(e.Prev, testKey)
			rehashed = true
		case 10:
			es = swapContents(es, int64(i+1), int64(j+1))
		case 11:
			slices.SortStableFunc(es, func(x, y Entry) int { return cmp.Compare(x.Seq, y.Seq) })
		}
	}
	return es, rehashed
}

// FuzzVerify tampers with a valid log and checks that Verify never panics,
// that it finds every change a hash chain can show, and that with a
// checkpoint at the end of the real log it finds every change at all.
func FuzzVerify(f *testing.F) {
	f.Add([]byte{}, false)
	f.Add([]byte{0, 3, 0}, false)
	f.Add([]byte{0, 7, 0}, true)
	f.Add([]byte{1, 2, 5, 2, 2, 5, 2, 5, 2}, false)
	f.Add([]byte{8, 4, 0, 9, 4, 0}, false)
	f.Add([]byte{10, 1, 6}, true)
	f.Add([]byte{3, 0, 1, 11, 0, 0}, true)
	f.Fuzz(func(t *testing.T, ops []byte, checkpoint bool) {
		orig := chain(8)
		var cps []Checkpoint
		if checkpoint {
			cps = append(cps, testSigner.Sign(orig[7], signedAt))
		}
		es, rehashed := tamper(chain(8), ops)
		r, err := verify(all(es), cps...)
		if err != nil {
			t.Fatal(err)
		}
		_ = r.String()
		same := reflect.DeepEqual(es, orig)
		prefix := len(es) < len(orig) && reflect.DeepEqual(es, orig[:len(es)])
		switch {
		case same && !r.OK():
			t.Errorf("untouched log reported: %v", r)
		case checkpoint && !same && r.OK():
			t.Errorf("tampered log passed against a checkpoint at its real end: %v", r)
		case !checkpoint && !rehashed && !same && !prefix && r.OK():
			t.Errorf("tampered log passed: %v", r)
		}
		for _, p := range r.Problems {
			if strings.ContainsFunc(p.Detail, func(r rune) bool { return r < ' ' }) {
				t.Errorf("problem detail has a control character: %q", p.Detail)
			}
		}
	})
}

// FuzzParseCheckpoint checks that ParseCheckpoint never panics and accepts
// only text that Marshal writes back the same.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add(golden)
	f.Add("puente-audit-checkpoint v1 1 00 0 00 AA==")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCheckpoint(s)
		if err != nil {
			return
		}
		if got, want := c.Marshal(), strings.TrimSpace(s); got != want {
			t.Errorf("Marshal(ParseCheckpoint(%q)) = %q", want, got)
		}
	})
}
