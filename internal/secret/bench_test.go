package secret

import (
	"strings"
	"testing"
)

// BenchmarkSealOpen seals and opens a 200-byte field, about the size of a
// name and postal address, as a page showing one record would.
func BenchmarkSealOpen(b *testing.B) {
	dk := newTestDataKey(b)
	field := []byte(strings.Repeat("Calle Ejemplo 123, Ciudad Juárez ", 7)[:200])
	const aad = "people/address/123456"
	b.ReportAllocs()
	b.SetBytes(int64(len(field)))
	for b.Loop() {
		if _, err := dk.Open(dk.Seal(field, aad), aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewDataKey(b *testing.B) {
	kr := newTestKeyring(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := kr.NewDataKey("case/123456"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnwrap(b *testing.B) {
	kr := newTestKeyring(b)
	_, wrapped, err := kr.NewDataKey("case/123456")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.Unwrap(wrapped, "case/123456"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	kr := newTestKeyring(b)
	b.ReportAllocs()
	for b.Loop() {
		kr.BlindIndex("maria jose nunez hernandez")
	}
}
