package password

import (
	"strings"
	"testing"
)

var fast = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery staple", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	ok, rehash, err := Verify("correct horse battery staple", h, fast)
	if err != nil || !ok || rehash {
		t.Fatalf("Verify(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	ok, _, err = Verify("correct horse battery stapler", h, fast)
	if err != nil || ok {
		t.Fatalf("Verify(wrong) = %v, %v; want false, nil", ok, err)
	}
	ok, rehash, _ = Verify("correct horse battery staple", h, Default)
	if !ok || !rehash {
		t.Fatalf("Verify with new params: ok=%v rehash=%v, want true, true", ok, rehash)
	}
	h2, _ := Hash("correct horse battery staple", fast)
	if h2 == h {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, h := range []string{"", "plaintext", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$!!"} {
		if _, _, err := Verify("x", h, fast); err != ErrMalformed {
			t.Errorf("Verify(%q) err = %v, want ErrMalformed", h, err)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct{ pw, want string }{
		{"short", KeyTooShort},
		{"elevenchars", KeyTooShort},
		{strings.Repeat("x", 257), KeyTooLong},
		{"password1234", KeyCommon},
		{"Password1234!", KeyCommon},
		{"P4ssw0rd2024!!", KeyCommon},
		{"contraseña123", KeyCommon},
		{"Contrasena2026", KeyCommon},
		{"123456789012", KeyCommon},
		{"abcdefghijkl", KeyCommon},
		{"aaaaaaaaaaaa", KeyCommon},
		{"abababababab", KeyCommon},
		{"qwertyuiopas", KeyCommon},
		{"maria.gonzalez1", KeyPersonal},
		{"correct horse battery staple", ""},
		{"el río lleva agua turbia", ""},
		{"Tr3s-tristes-tigres-2026", ""},
	}
	for _, tt := range tests {
		if got := Check(tt.pw, "maria.gonzalez@casa.example", "María González"); got != tt.want {
			t.Errorf("Check(%q) = %q, want %q", tt.pw, got, tt.want)
		}
	}
}

func TestCommonListLoaded(t *testing.T) {
	if len(common) < 3000 {
		t.Fatalf("common password list has %d entries, want the embedded list", len(common))
	}
}
