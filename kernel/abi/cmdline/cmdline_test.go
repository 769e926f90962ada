package cmdline

import (
	"reflect"
	"strings"
	"testing"
)

func TestScanner(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Word
	}{
		{"empty", "", nil},
		{"only spaces", " ", nil},
		{"only whitespace of every kind", " \t\n\r \t", nil},
		{"one key", "quiet", []Word{{Key: "quiet", Offset: 0}}},
		{"key=value", "console=ttyS0", []Word{{Key: "console", Value: "ttyS0", HasValue: true}}},
		{"empty value", "root=", []Word{{Key: "root", Value: "", HasValue: true}}},
		{"empty key", "=x", []Word{{Key: "", Value: "x", HasValue: true}}},
		{"lone equals", "=", []Word{{Key: "", Value: "", HasValue: true}}},
		{"split at first equals", "coracle.env=A=B=C", []Word{{Key: "coracle.env", Value: "A=B=C", HasValue: true}}},
		{
			"leading, trailing and multiple whitespace",
			" a=b  c= \td==e\n",
			[]Word{
				{Key: "a", Value: "b", HasValue: true, Offset: 1},
				{Key: "c", Value: "", HasValue: true, Offset: 6},
				{Key: "d", Value: "=e", HasValue: true, Offset: 10},
			},
		},
		{
			"CR and LF separate words",
			"a\r\nb\rc\nd",
			[]Word{{Key: "a"}, {Key: "b", Offset: 3}, {Key: "c", Offset: 5}, {Key: "d", Offset: 7}},
		},
		{
			"vertical tab, form feed and NUL are not separators",
			"a\vb c\fd e\x00f",
			[]Word{{Key: "a\vb"}, {Key: "c\fd", Offset: 4}, {Key: "e\x00f", Offset: 8}},
		},
		{
			"non-ASCII bytes stay in the word",
			"ключ=значение \xff\xfe=\x80",
			[]Word{
				{Key: "ключ", Value: "значение", HasValue: true},
				{Key: "\xff\xfe", Value: "\x80", HasValue: true, Offset: 26},
			},
		},
		{
			"quotes do not group",
			`x="a b"`,
			[]Word{{Key: "x", Value: `"a`, HasValue: true}, {Key: `b"`, Offset: 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanAll(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("words of %q =\n%+v\nwant\n%+v", tt.in, got, tt.want)
			}
			for _, w := range got {
				// Offset must locate the word in the input.
				text := w.Key
				if w.HasValue {
					text += "=" + w.Value
				}
				if !strings.HasPrefix(tt.in[w.Offset:], text) {
					t.Errorf("word %+v is not at offset %d of %q", w, w.Offset, tt.in)
				}
			}
		})
	}
}

func TestScannerStaysAtEnd(t *testing.T) {
	sc := NewScanner("a b")
	for i := range 2 {
		if _, ok := sc.Next(); !ok {
			t.Fatalf("Next #%d: ok = false, want true", i)
		}
	}
	for i := range 3 {
		if w, ok := sc.Next(); ok {
			t.Errorf("Next after the end (call %d) = %+v, true; want false", i, w)
		}
	}
}

func scanAll(s string) []Word {
	var words []Word
	sc := NewScanner(s)
	for {
		w, ok := sc.Next()
		if !ok {
			return words
		}
		words = append(words, w)
	}
}

func TestCheckAccepts(t *testing.T) {
	for _, s := range []string{
		"",
		"   ",
		"quiet console=ttyS0",
		"coracle.arg=",
		"coracle.arg=hello coracle.arg=%20 coracle.arg=%41%42%43",
		"coracle.arg=%ff%FF%aA%0a",
		"coracle.arg=a=b",
		"coracle.env=A=",
		"coracle.env=A==",
		"coracle.env=PATH=/bin:/usr/bin",
		"coracle.env=A%20B=%00",
		// Other words are not checked, even ones that look encoded.
		"foo=% bar=%zz coracle.args=% coracle.argv coracle.Arg=%",
		"coracle.arg.x=%",
		"virtio_mmio.device=4K@0xfeb00e00:12",
	} {
		t.Run(s, func(t *testing.T) {
			if p, ok := Check(s); !ok {
				t.Errorf("Check(%q) = %+v, false; want ok", s, p)
			}
		})
	}
}

func TestCheckProblems(t *testing.T) {
	const (
		noValue   = "need a value"
		badEscape = "percent escape"
		badEnv    = "NAME=VALUE"
	)
	tests := []struct {
		name   string
		in     string
		offset int
		reason string // a substring of Problem.Reason
	}{
		{"arg without equals", "coracle.arg", 0, noValue},
		{"env without equals", "coracle.env", 0, noValue},
		{"arg without equals after a word", "quiet coracle.arg", 6, noValue},
		{"arg without equals after good args", "coracle.arg=a  coracle.arg", 15, noValue},
		{"lone percent", "coracle.arg=%", 12, badEscape},
		{"percent and one digit", "console=ttyS0 coracle.arg=ab%4", 28, badEscape},
		{"percent and non-hex", "coracle.arg=%zz", 12, badEscape},
		{"second digit not hex", "coracle.arg=%4g", 12, badEscape},
		{"first digit not hex", "coracle.arg=%g4", 12, badEscape},
		{"percent space", "coracle.arg=%%41", 12, badEscape},
		{"second escape short", "coracle.arg=%41%4", 15, badEscape},
		{"escape in later word", "coracle.arg=ok coracle.arg=%0", 27, badEscape},
		{"escape after leading whitespace", " \t coracle.env=A=%g0", 17, badEscape},
		{"bad escape in env name", "coracle.env=%zz=1", 12, badEscape},
		{"env without equals in value", "coracle.env=FOO", 12, badEnv},
		{"env empty value", "coracle.env=", 12, badEnv},
		{"env empty name", "x coracle.env==bar", 14, badEnv},
		{"env name only escapes, no equals", "coracle.env=%41%42", 12, badEnv},
		{"first problem wins", "coracle.arg=%z coracle.arg", 12, badEscape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := Check(tt.in)
			if ok {
				t.Fatalf("Check(%q) ok, want a problem at offset %d", tt.in, tt.offset)
			}
			if p.Offset != tt.offset {
				t.Errorf("Check(%q).Offset = %d, want %d", tt.in, p.Offset, tt.offset)
			}
			if !strings.Contains(p.Reason, tt.reason) {
				t.Errorf("Check(%q).Reason = %q, want it to mention %q", tt.in, p.Reason, tt.reason)
			}
			if tt.reason == badEscape && (p.Offset >= len(tt.in) || tt.in[p.Offset] != '%') {
				t.Errorf("escape problem offset %d of %q does not point at a '%%'", p.Offset, tt.in)
			}
		})
	}
}

func TestCheckEnvNameFromEscapedEquals(t *testing.T) {
	// "%3D=x" passes Check (its first literal '=' has a non-empty name
	// before it) but decodes to "==x", whose NAME is empty.
	const s = "coracle.env=%3D=x"
	_, ok := Check(s)
	dec := decodeValue(t, strings.TrimPrefix(s, EnvKey+"="))
	if name, _, _ := strings.Cut(dec, "="); ok && name == "" {
		t.Error("Check accepts coracle.env=%3D=x, which decodes to \"==x\" with an empty NAME")
	}
}

func TestDecode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"-._~/:,=+@", "-._~/:,=+@"},
		{"%41", "A"},
		{"%4a%4A", "JJ"},
		{"a%20b", "a b"},
		{"%00", "\x00"},
		{"%ff%FF", "\xff\xff"},
		{"%25", "%"},
		{"%2541", "%41"}, // decoded once only
		{"x%0A%09y", "x\n\ty"},
		{"%E2%82%AC", "€"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := DecodedLen(tt.in); got != len(tt.want) {
				t.Errorf("DecodedLen(%q) = %d, want %d", tt.in, got, len(tt.want))
			}
			// Decode writes exactly DecodedLen bytes and leaves the rest.
			dst := []byte(strings.Repeat("#", len(tt.want)+4))
			n := Decode(dst, tt.in)
			if n != len(tt.want) || string(dst[:n]) != tt.want {
				t.Errorf("Decode(%q) = %q (n=%d), want %q", tt.in, dst[:n], n, tt.want)
			}
			if tail := string(dst[len(tt.want):]); tail != "####" {
				t.Errorf("Decode(%q) wrote past the decoded length: tail %q", tt.in, tail)
			}
		})
	}
}

func TestDecodeSideDoesNotAllocate(t *testing.T) {
	// Scanner, Check, DecodedLen and Decode run before the Go runtime.
	s, err := Encode("console=ttyS0 quiet", []string{"hello world", "\x00\xff", ""}, []string{"A=b c", "PATH=/bin"})
	if err != nil {
		t.Fatal(err)
	}
	var buf [64]byte
	n := testing.AllocsPerRun(100, func() {
		if _, ok := Check(s); !ok {
			panic("Check failed")
		}
		sc := NewScanner(s)
		for {
			w, ok := sc.Next()
			if !ok {
				break
			}
			if w.Key == ArgKey || w.Key == EnvKey {
				if DecodedLen(w.Value) > len(buf) {
					panic("buffer too small")
				}
				Decode(buf[:], w.Value)
			}
		}
	})
	if n != 0 {
		t.Errorf("decoding side allocates %v times per run, want 0", n)
	}
}

// decodeValue decodes an encoded value that must pass Check.
func decodeValue(t testing.TB, v string) string {
	t.Helper()
	if off, reason := checkEscapes(v); reason != "" {
		t.Fatalf("value %q: %s at %d", v, reason, off)
	}
	buf := make([]byte, DecodedLen(v))
	if n := Decode(buf, v); n != len(buf) {
		t.Fatalf("Decode(%q) wrote %d bytes, DecodedLen says %d", v, n, len(buf))
	}
	return string(buf)
}

func TestHas(t *testing.T) {
	s := "coracle.strace ip=10.0.0.2/24  coracle.nomsix=1"
	for key, want := range map[string]bool{"coracle.strace": true, "ip": true, "coracle.nomsix": true, "coracle": false, "10.0.0.2/24": false} {
		if got := Has(s, key); got != want {
			t.Errorf("Has(%q) = %v, want %v", key, got, want)
		}
	}
}

// EnvNames agrees with decoding the value and cutting it at the first '='.
func TestEnvNames(t *testing.T) {
	values := []string{"GOMEMLIMIT=1", "GOMEMLIMIT=", "GOMEMLIMITX=1", "GOMEMLIMI=1", "%47OMEMLIMIT=1",
		"GOMEMLIMIT%3D1", "GOMEMLIMIT", "A=GOMEMLIMIT=1", "gomemlimit=1", "GOMEMLIMIT=a=b", "x%20y=1"}
	for _, v := range values {
		if _, reason := checkEscapes(v); reason != "" {
			t.Fatalf("bad test value %q: %s", v, reason)
		}
		if !validEnv(v) {
			continue // Check refuses it
		}
		dec := decodeValue(t, v)
		for _, name := range []string{"GOMEMLIMIT", "A", "x y", ""} {
			n, _, found := strings.Cut(dec, "=")
			want := found && n == name
			if got := EnvNames(v, name); got != want {
				t.Errorf("EnvNames(%q, %q) = %v, want %v", v, name, got, want)
			}
		}
	}
}
